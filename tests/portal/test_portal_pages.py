"""Every portal page renders for a partner user, in English and French, and does what it says."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jackpot.ledger import services as ledger
from jackpot.partners import credentials
from jackpot.partners.models import LegalInformation, Partner
from jackpot.tokens.models import TokenBurn
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import PaymentState, State, Voucher
from jackpot.webhooks.models import Delivery
from support.tokens import partner_token

pytestmark = pytest.mark.django_db

PAGES = [
    "portal:dashboard",
    "portal:account",
    "portal:security",
    "portal:legal",
    "portal:wallet",
    "portal:coupons",
    "portal:pending",
    "portal:refunds",
    "portal:token",
    "portal:personal",
    "portal:password",
]


@pytest.fixture
def data(acme, alice, make_voucher):
    first = make_voucher(acme, 30)
    second = make_voucher(acme, 120)
    ledger.credit_wallet(acme, "500.00", reference="wire-1", created_by="test")
    lifecycle.transition(second.pk, "confirm", "test")
    return first, second


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_renders(alice_client, data, language):
    for name in PAGES:
        response = alice_client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, name
        assert response["Content-Language"] == language
        assert "no-store" in response["Cache-Control"]
    response = alice_client.get(
        reverse("portal:coupon", args=[data[0].pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200


def test_french_is_translated(alice_client, data):
    response = alice_client.get(reverse("portal:pending"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Coupons en attente" in response.content.decode()
    assert "Confirmer la sélection" in response.content.decode()


def test_anonymous_users_are_sent_to_login(client, data):
    response = client.get(reverse("portal:coupons"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_a_user_without_partner_is_refused(client, django_user_model, data):
    user = django_user_model.objects.create_user("ops", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get(reverse("portal:dashboard")).status_code == 403


def test_login_and_logout(client, alice):
    response = client.post(
        reverse("portal:login"), {"username": "alice", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    assert client.get(reverse("portal:dashboard")).status_code == 200
    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_dashboard_counts_confirmed_vouchers(alice_client, data):
    response = alice_client.get(reverse("portal:dashboard"))
    totals = response.context["totals"]
    _, second = data
    assert totals.vouchers == 1
    assert totals.converted == second.price and totals.bonus == second.value - second.price
    assert response.context["pending"] == 1
    assert "<svg" in response.content.decode()


def test_coupon_list_filters_and_paginates(alice_client, acme, make_voucher, data):
    first, second = data
    response = alice_client.get(reverse("portal:coupons"), {"state": "RESERVED"})
    assert [v.pk for v in response.context["page"]] == [first.pk]
    response = alice_client.get(reverse("portal:coupons"), {"q": second.coupon_id})
    assert [v.pk for v in response.context["page"]] == [second.pk]
    response = alice_client.get(reverse("portal:coupons"), {"q": first.notification_key})
    assert [v.pk for v in response.context["page"]] == [first.pk]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = alice_client.get(reverse("portal:coupons"), {"date_from": tomorrow})
    assert list(response.context["page"]) == []
    for _ in range(25):
        make_voucher(acme, 10)
    first_page = alice_client.get(reverse("portal:coupons")).context["page"]
    assert len(first_page) == 25
    response = alice_client.get(reverse("portal:coupons"), first_page.link("next"))
    assert [v.pk for v in response.context["page"]] == [second.pk, first.pk]


def test_csv_export_follows_the_filters(alice_client, data):
    first, _ = data
    response = alice_client.get(reverse("portal:coupons-csv"), {"state": "RESERVED"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["couponId", "id", "state"]
    assert [r[0] for r in rows[1:]] == [first.coupon_id]


def test_csv_cells_cannot_become_formulas(acme, alice_client, make_voucher):
    make_voucher(acme, 30, userId='=HYPERLINK("http://evil")')
    response = alice_client.get(reverse("portal:coupons-csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_confirm_and_cancel_many_at_once(alice_client, acme, make_voucher):
    vouchers = [make_voucher(acme, 20) for _ in range(3)]
    response = alice_client.post(
        reverse("portal:pending"),
        {"action": "confirm", "voucher": [str(vouchers[0].pk), str(vouchers[1].pk)]},
    )
    assert response.status_code == 302
    states = {v.pk: v.state for v in Voucher.objects.all()}
    assert states[vouchers[0].pk] == states[vouchers[1].pk] == State.CONFIRMED
    assert states[vouchers[2].pk] == State.RESERVED
    alice_client.post(reverse("portal:pending"), {"action": "cancel", "voucher": [vouchers[2].pk]})
    assert Voucher.objects.get(pk=vouchers[2].pk).state == State.CANCELED
    event = Voucher.objects.get(pk=vouchers[2].pk).events.last()
    assert event.actor == "portal:alice"


def test_bulk_refusals_are_reported_and_others_go_through(alice_client, acme, make_voucher):
    done, refused = make_voucher(acme, 20), make_voucher(acme, 20)
    Voucher.objects.filter(pk=refused.pk).update(state=State.CANCELED)
    response = alice_client.post(
        reverse("portal:pending"),
        {"action": "confirm", "voucher": [done.pk, refused.pk, "not-a-uuid"]},
        follow=True,
    )
    assert Voucher.objects.get(pk=done.pk).state == State.CONFIRMED
    texts = [str(m) for m in response.context["messages"]]
    assert any("1 voucher confirmed" in t for t in texts)
    assert any(refused.coupon_id in t for t in texts)


def test_voucher_detail_shows_events_and_notifications(alice_client, data):
    first, _ = data
    response = alice_client.get(reverse("portal:coupon", args=[first.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "coupon/reserved" in body and first.notification_key in body


def test_resend_a_notification(alice_client, data):
    first, _ = data
    delivery = Delivery.objects.filter(
        partner_id="acme", event__notification_key=first.notification_key
    ).first()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", schedule_step=5)
    alice_client.post(reverse("portal:coupon-resend", args=[first.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.schedule_step == 0


def test_pdf_link_when_ready(alice_client, data):
    _, second = data
    Voucher.objects.filter(pk=second.pk).update(state=State.READY)
    response = alice_client.get(reverse("portal:coupon", args=[second.pk]))
    assert f"/v2/voucher/{second.pk}/pdf?sig=" in response.content.decode()


def test_refund_request(alice_client, data):
    _, second = data
    Voucher.objects.filter(pk=second.pk).update(state=State.READY)
    alice_client.post(
        reverse("portal:refunds"), {"coupon_id": second.coupon_id.lower(), "reason": "returned"}
    )
    voucher = Voucher.objects.get(pk=second.pk)
    assert voucher.state == State.REFUNDING
    assert voucher.events.last().reason == "returned"


def test_refund_refused_in_a_wrong_state(alice_client, data):
    first, _ = data
    response = alice_client.post(reverse("portal:refunds"), {"coupon_id": first.coupon_id})
    assert response.status_code == 422
    assert Voucher.objects.get(pk=first.pk).state == State.RESERVED


def test_token_verifier_never_burns(alice_client, acme):
    raw = partner_token(acme.signature)
    response = alice_client.post(reverse("portal:token"), {"token": raw})
    report = response.context["report"]
    assert report["valid"] and report["signatureValid"] and report["alreadyUsed"] is False
    assert not TokenBurn.objects.exists()


def test_rotating_the_api_signature_shows_it_once(alice_client, acme):
    response = alice_client.post(reverse("portal:rotate-signature"), {"signature-grace": "3600"})
    new = response.context["new_secret"]["value"]
    assert credentials.valid_signatures(acme)[0] == new
    assert len(credentials.valid_signatures(acme)) == 2
    assert new in response.content.decode()
    assert new not in alice_client.get(reverse("portal:security")).content.decode()


def test_regenerating_the_api_key(alice_client, acme):
    refused = alice_client.post(reverse("portal:regenerate-api-key"), {})
    assert refused.status_code == 302
    assert credentials.partner_for_api_key(acme.issued.apiKey) == acme
    response = alice_client.post(reverse("portal:regenerate-api-key"), {"apikey-confirm": "on"})
    key = response.context["new_secret"]["value"]
    assert credentials.partner_for_api_key(key) == acme
    assert credentials.partner_for_api_key(acme.issued.apiKey) is None


def test_regenerating_the_client_secret(alice_client, acme):
    response = alice_client.post(
        reverse("portal:regenerate-client-secret"), {"client-confirm": "on"}
    )
    secret = response.context["new_secret"]["value"]
    assert credentials.partner_for_client_credentials("acme", secret) == acme


def test_rotating_the_webhook_secret(alice_client, acme):
    before = Partner.objects.get(pk="acme").webhook_secret
    response = alice_client.post(
        reverse("portal:rotate-webhook-secret"), {"webhook-grace": "86400"}
    )
    after = Partner.objects.get(pk="acme").webhook_secret
    assert after != before and response.context["new_secret"]["value"] == after


def test_integration_settings(alice_client, acme):
    response = alice_client.post(
        reverse("portal:security-integration"),
        {"domains": "Shop.Example.com\nhttps://bad/path", "notification_url": ""},
    )
    assert response.status_code == 422
    alice_client.post(
        reverse("portal:security-integration"),
        {
            "domains": "Shop.Example.com\nm.shop.example.com",
            "notification_url": "https://x.example/h",
        },
    )
    partner = Partner.objects.get(pk="acme")
    assert partner.domain_list == ["shop.example.com", "m.shop.example.com"]
    assert partner.notification_url == "https://x.example/h"


def test_a_partner_confirming_by_notification_cannot_clear_its_notification_url(alice_client, acme):
    Partner.objects.filter(pk="acme").update(
        confirmation_mode="notification", notification_url="https://x.example/h"
    )
    response = alice_client.post(
        reverse("portal:security-integration"),
        {"domains": "shop.example.com", "notification_url": ""},
    )
    assert response.status_code == 422
    assert "needs a notification URL" in response.content.decode()
    partner = Partner.objects.get(pk="acme")
    assert partner.notification_url == "https://x.example/h"
    assert partner.domain_list != ["shop.example.com"]  # nothing of the refused form was saved


def test_legal_information(alice_client, acme):
    alice_client.post(
        reverse("portal:legal"),
        {
            "company_name": "ACME SAS",
            "registration_number": "123 456 789",
            "billing_email": "b@acme.example",
        },
    )
    info = LegalInformation.objects.get(partner=acme)
    assert info.company_name == "ACME SAS" and info.updated_by == "portal:alice"


def test_wallet_threshold(alice_client, acme):
    alice_client.post(reverse("portal:wallet"), {"threshold": "1000"})
    assert ledger.wallet_status(acme).low
    assert "badge-danger" in alice_client.get(reverse("portal:wallet")).content.decode()


def test_statements_download(alice_client, acme, make_voucher):
    voucher = make_voucher(acme, 30)
    lifecycle.transition(voucher.pk, "confirm", "test")  # no wallet: DUE
    assert Voucher.objects.get(pk=voucher.pk).payment_state == PaymentState.DUE
    statement = payments.issue_statement(
        acme, timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1), "test"
    )
    response = alice_client.get(reverse("portal:wallet"))
    assert reverse("portal:statement-pdf", args=[statement.pk]) in response.content.decode()
    response = alice_client.get(reverse("portal:statement-csv", args=[statement.pk]))
    assert response.status_code == 200
    assert voucher.coupon_id in b"".join(response.streaming_content).decode()
    response = alice_client.get(reverse("portal:statement-pdf", args=[statement.pk]))
    assert response.content.startswith(b"%PDF")
