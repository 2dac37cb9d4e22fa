"""The portal's live/test switch: held in the session, shown on every page, and every page, list
and export shows the chosen mode's data only (the other mode's voucher is a 404)."""

import pytest
from django.urls import reverse

from jackpot.partners import credentials
from jackpot.vouchers.models import Voucher
from support.reservations import reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def vouchers(acme):
    live = reserve(acme, acme.signature)
    test = reserve(acme, acme.issued.test["apiSignature"])
    return live, test


def switch(client, mode: str, next_url: str = "/portal/coupons/"):
    return client.post(reverse("portal:mode"), {"mode": mode, "next": next_url})


def test_the_portal_starts_live_and_switches_to_test_and_back(alice_client, vouchers):
    live, test = vouchers
    page = alice_client.get(reverse("portal:coupons")).content.decode()
    assert live.coupon_id in page and test.coupon_id not in page
    assert "test-banner" not in page
    response = switch(alice_client, "test")
    assert response.status_code == 302 and response["Location"] == "/portal/coupons/"
    page = alice_client.get(reverse("portal:coupons")).content.decode()
    assert test.coupon_id in page and live.coupon_id not in page
    assert "test-banner" in page
    switch(alice_client, "live")
    page = alice_client.get(reverse("portal:dashboard")).content.decode()
    assert "test-banner" not in page


@pytest.mark.parametrize("mode", ["live", "test"])
def test_the_other_modes_voucher_is_404_in_the_portal(alice_client, vouchers, mode):
    live, test = vouchers
    other = test if mode == "live" else live
    switch(alice_client, mode)
    for name in ("portal:coupon",):
        assert alice_client.get(reverse(name, args=[other.pk])).status_code == 404
    for name in ("portal:coupon-confirm", "portal:coupon-cancel", "portal:coupon-refund"):
        assert alice_client.post(reverse(name, args=[other.pk])).status_code == 404
    assert Voucher.objects.get(pk=other.pk).state == "RESERVED"


@pytest.mark.parametrize("mode", ["live", "test"])
def test_the_export_follows_the_switch(alice_client, vouchers, mode):
    live, test = vouchers
    own, other = (live, test) if mode == "live" else (test, live)
    switch(alice_client, mode)
    response = alice_client.get(reverse("portal:coupons-csv"))
    text = b"".join(response.streaming_content).decode()
    assert own.coupon_id in text and other.coupon_id not in text
    assert ("-test-" in response["Content-Disposition"]) == (mode == "test")


def test_the_security_page_shows_and_rotates_each_modes_credentials(alice_client, acme):
    page = alice_client.get(reverse("portal:security")).content.decode()
    assert acme.api_key_hint in page and "Live credentials" in page
    switch(alice_client, "test")
    twin = credentials.test_twin(acme)
    page = alice_client.get(reverse("portal:security")).content.decode()
    assert twin.api_key_hint in page and twin.api_key_hint.startswith("jpk_test_")
    assert "Test credentials" in page and "client_id=acme<" in page.replace("</code>", "<")
    response = alice_client.post(reverse("portal:regenerate-api-key"), {"apikey-confirm": "on"})
    assert response.status_code == 200
    twin.refresh_from_db()
    new_key = response.context["new_secret"]["value"]
    assert new_key.startswith("jpk_test_")
    assert credentials.partner_for_api_key(new_key) == twin
    assert credentials.partner_for_api_key(acme.issued.apiKey) == acme  # live key untouched


def test_the_token_verifier_says_which_mode_a_token_opens(alice_client, acme):
    from support.tokens import partner_token

    switch(alice_client, "test")
    token = partner_token(acme.issued.test["apiSignature"], amount=10, notificationKey="n-1")
    response = alice_client.post(reverse("portal:token"), {"token": token})
    report = response.context["report"]
    assert report["valid"] and report["livemode"] is False and report["partner"] == "acme"


def test_test_mode_moves_no_money_from_the_wallet_page(alice_client, acme):
    switch(alice_client, "test", "/portal/wallet/")
    page = alice_client.get(reverse("portal:wallet")).content.decode()
    assert "Test mode moves no money" in page
    response = alice_client.post(reverse("portal:wallet"), {"threshold": "10"})
    assert response.status_code == 302


def test_the_switch_never_redirects_off_the_portal(alice_client):
    response = switch(alice_client, "test", "https://evil.example/portal/")
    assert response["Location"] == "/portal/"


def test_a_partner_without_a_test_mode_gets_one_when_switching(alice_client, acme):
    from jackpot.partners.models import Partner

    Partner.objects.filter(live_partner=acme).delete()
    switch(alice_client, "test")
    twin = credentials.test_twin(acme)
    assert twin is not None
    page = alice_client.get(reverse("portal:security")).content.decode()
    assert "test-banner" in page and twin.api_key_hint in page
