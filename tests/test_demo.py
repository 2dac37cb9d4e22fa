"""The demo partner (`jackpot.demo`): created once, and recreated with the credentials it saved."""

import json
import stat

import pytest

from jackpot.demo import ensure_demo_partner
from jackpot.partners import credentials
from jackpot.partners.models import ApiSignature, Partner

pytestmark = pytest.mark.django_db


def test_the_demo_partner_is_created_once_and_recreated_with_its_saved_credentials(
    settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    saved = tmp_path / "demo-partner.json"

    first = ensure_demo_partner()

    demo = Partner.objects.get(pk="demo")
    assert demo.domain_list == ["127.0.0.1:8000", "localhost:8000"]  # JACKPOT_PUBLIC_URL's port
    assert first["id"] == "demo"
    assert credentials.valid_signatures(demo) == [first["apiSignature"]]
    assert credentials.partner_for_api_key(first["apiKey"]) == demo
    assert json.loads(saved.read_text()) == first
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    second = ensure_demo_partner()

    assert second == first
    assert Partner.objects.filter(pk="demo").count() == 1
    assert ApiSignature.objects.filter(partner_id="demo").count() == 1

    Partner.objects.filter(pk="demo").delete()
    third = ensure_demo_partner()

    demo = Partner.objects.get(pk="demo")
    assert (third["apiSignature"], third["apiKey"]) == (first["apiSignature"], first["apiKey"])
    assert credentials.valid_signatures(demo) == [first["apiSignature"]]
    assert credentials.partner_for_api_key(first["apiKey"]) == demo
    assert credentials.check_client_secret(demo, third["clientSecret"])
    assert json.loads(saved.read_text()) == third
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
