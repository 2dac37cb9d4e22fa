"""`jackpot demo` prints working logins for the partner portal and the operator admin."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from jackpot import demo

pytestmark = pytest.mark.django_db


def test_demo_logins_work_and_are_kept(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = demo.ensure_demo_partner()
    assert json.loads((tmp_path / "demo-partner.json").read_text()) == first

    portal = Client()
    response = portal.post(
        reverse("portal:login"),
        {"username": first["portalUser"], "password": first["portalPassword"]},
    )
    assert response.status_code == 302
    assert portal.get(reverse("portal:dashboard")).context["request"].partner.pk == "demo"

    admin = Client()
    response = admin.post(
        reverse("admin:login"),
        {"username": first["operatorUser"], "password": first["operatorPassword"]},
    )
    assert response.status_code == 302
    assert admin.get(reverse("admin:index")).status_code == 200

    assert demo.ensure_demo_partner() == first  # the same logins on every run
    banner = demo.banner("http://127.0.0.1:8000", first)
    assert f"user {first['portalUser']}  password {first['portalPassword']}" in banner
    assert "/admin/" in banner and first["operatorPassword"] in banner
