"""Partners in the operator admin: credentials shown once, the partner tools, and a notification
mode refused without its URL."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from jackpot.ledger import services as ledger
from jackpot.partners import credentials
from jackpot.partners.models import Partner, PartnerUser
from support.admin import partner_change

pytestmark = pytest.mark.django_db


def test_create_a_partner_shows_its_credentials_once(ops_client, catalog):
    response = ops_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Gamma Cashback",
            "partner_id": "gamma",
            "domains": "gamma.example",
            "confirmation_mode": "manual",
            "notification_url": "",
            "session_ceiling": "",
        },
    )
    assert response.status_code == 200
    secrets = response.context["secrets"]
    partner = Partner.objects.get(pk="gamma")
    assert credentials.partner_for_api_key(secrets["apiKey"]) == partner
    assert secrets["apiSignature"] in credentials.valid_signatures(partner)
    assert LogEntry.objects.filter(object_id="gamma").exists()


def test_partner_tools(ops_client, acme):
    ops_client.post(
        reverse("admin:partners_partner_credit", args=["acme"]),
        {"amount": "250.00", "reference": "wire 42", "idempotency_key": "k-1"},
    )
    ops_client.post(
        reverse("admin:partners_partner_credit", args=["acme"]),
        {"amount": "250.00", "reference": "wire 42", "idempotency_key": "k-1"},
    )
    assert ledger.wallet_balance(acme) == 250
    response = ops_client.post(
        reverse("admin:partners_partner_portal_user", args=["acme"]),
        {"username": "carol", "email": "carol@acme.example", "password": ""},
    )
    profile = PartnerUser.objects.get(user__username="carol")
    assert profile.partner_id == "acme"
    password = response.context["secrets"]["Password"]
    assert profile.user.check_password(password)
    url = reverse("admin:partners_partner_api_key", args=["acme"])
    response = ops_client.post(url)  # asks for a confirmation first
    assert "secrets" not in response.context and credentials.partner_for_api_key(acme.issued.apiKey)
    response = ops_client.post(url, {"_confirm": "1", "confirm": "on"})
    assert credentials.partner_for_api_key(response.context["secrets"]["apiKey"]) == acme


def test_notification_mode_needs_a_url(ops_client, acme):
    url = reverse("admin:partners_partner_change", args=["acme"])
    response = ops_client.post(
        url,
        partner_change(domains="acme.example", confirmation_mode="notification"),
    )
    assert response.status_code == 200 and "needs a notification URL" in response.content.decode()
    assert Partner.objects.get(pk="acme").confirmation_mode == "manual"
