"""The operator admin: every screen opens, and its tools and actions call the services."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jackpot.catalog.models import Store
from jackpot.ledger import services as ledger
from jackpot.partners import credentials
from jackpot.partners.models import Partner, PartnerUser
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import Code, PaymentState, State, Statement, Voucher
from jackpot.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(acme, make_voucher):
    reserved = make_voucher(acme, 30)
    confirmed = make_voucher(acme, 54)
    lifecycle.transition(confirmed.pk, "confirm", "test")
    return reserved, confirmed


def test_every_admin_screen_opens(ops_client, data):
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = ops_client.get(url)
        assert response.status_code == 200, url
        first = model_admin.get_queryset(response.wsgi_request).first()
        if first is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert ops_client.get(url).status_code == 200, url
    index = ops_client.get(reverse("admin:index"))
    assert "Jackpot operator" in index.content.decode()
    assert (
        "Opérations"
        in ops_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )


def test_partner_users_cannot_enter_the_admin(client, acme, django_user_model):
    from jackpot.partners.services import create_partner_user

    profile, password = create_partner_user(acme, "alice", password="alice-password-123")
    client.force_login(profile.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_vouchers_and_money_are_read_only(ops_client, data):
    _, confirmed = data
    response = ops_client.get(reverse("admin:vouchers_voucher_change", args=[confirmed.pk]))
    body = response.content.decode()
    assert 'name="price"' not in body and 'name="value"' not in body
    assert "automatic confirmation" in body or "confirm" in body  # its events are inlined
    response = ops_client.post(
        reverse("admin:vouchers_voucher_change", args=[confirmed.pk]), {"price": "1.00"}
    )
    assert response.status_code == 403
    assert Voucher.objects.get(pk=confirmed.pk).price == confirmed.price


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


def test_refund_decisions_call_the_refunds_service(ops_client, data):
    _, confirmed = data
    Voucher.objects.filter(pk=confirmed.pk).update(state=State.REFUNDING)
    url = reverse("admin:vouchers_voucher_changelist")
    # the action first asks for a reason, then decides
    response = ops_client.post(
        url, {"action": "accept_refund", "_selected_action": [confirmed.pk], "index": 0}
    )
    assert (
        response.status_code == 200
        and Voucher.objects.get(pk=confirmed.pk).state == State.REFUNDING
    )
    ops_client.post(
        url,
        {
            "action": "accept_refund",
            "_selected_action": [confirmed.pk],
            "_confirm": "1",
            "reason": "returned",
        },
    )
    voucher = Voucher.objects.get(pk=confirmed.pk)
    assert voucher.state == State.REFUNDED
    event = voucher.events.last()
    assert event.actor == "operator:ops" and event.reason == "returned"
    assert LogEntry.objects.filter(object_id=str(confirmed.pk)).exists()


def test_refund_refused_in_the_wrong_state_is_reported(ops_client, data):
    reserved, _ = data
    response = ops_client.post(
        reverse("admin:vouchers_voucher_changelist"),
        {
            "action": "reject_refund",
            "_selected_action": [reserved.pk],
            "_confirm": "1",
            "reason": "",
        },
        follow=True,
    )
    assert any(reserved.coupon_id in str(m) for m in response.context["messages"])
    assert Voucher.objects.get(pk=reserved.pk).state == State.RESERVED


def test_statements_issue_and_payment(ops_client, acme, data):
    today = timezone.localdate()
    response = ops_client.post(
        reverse("admin:vouchers_statement_issue"),
        {
            "partner": "acme",
            "start": (today - timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
        },
    )
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert (
        ops_client.get(reverse("admin:vouchers_statement_pdf", args=[statement.pk])).content[:4]
        == b"%PDF"
    )
    ops_client.post(
        reverse("admin:vouchers_statement_changelist"),
        {
            "action": "record_payment",
            "_selected_action": [statement.pk],
            "_confirm": "1",
            "payment_reference": "VIR-1",
        },
    )
    statement.refresh_from_db()
    assert statement.paid_at is not None and statement.payment_reference == "VIR-1"
    assert set(statement.vouchers.values_list("payment_state", flat=True)) == {PaymentState.PAID}


def test_code_pool_csv_import(ops_client, catalog):
    Store.objects.filter(pk="bookly").update(code_source="pool")
    upload = SimpleUploadedFile(
        "codes.csv", b"code,pin,value,expiry\nBK-0001,1234,10,\nBK-0002,,20,2099-01-01\n"
    )
    response = ops_client.post(
        reverse("admin:vouchers_code_import"), {"store": "bookly", "file": upload}
    )
    assert response.status_code == 302
    assert set(Code.objects.filter(store_id="bookly").values_list("code", flat=True)) == {
        "BK-0001",
        "BK-0002",
    }
    bad = SimpleUploadedFile("codes.csv", b"BK-0003,,abc,\n")
    response = ops_client.post(
        reverse("admin:vouchers_code_import"), {"store": "bookly", "file": bad}
    )
    assert response.status_code == 200 and "line 1" in response.content.decode()
    assert ops_client.get(reverse("admin:vouchers_code_stock")).status_code == 200


def test_offers_preview_uses_the_catalogue_rules(ops_client, catalog):
    url = reverse("admin:catalog_campaign_preview")
    response = ops_client.get(url, {"amount": "100", "cp": "75011", "age": "30", "gender": "F"})
    offered = {row["offer"].id for row in response.context["rows"]}
    assert offered == {
        "sportmax-launch",
        "bookly-min",
        "mixte-all.majoration",
        "mixte-all.minoration",
    }
    best = next(r["best"] for r in response.context["rows"] if r["offer"].id == "sportmax-launch")
    assert (best.price, best.value) == (100, 110)
    response = ops_client.get(url, {"amount": "100", "cp": "13001", "age": "30"})
    assert "sportmax-launch" not in {row["offer"].id for row in response.context["rows"]}
    assert [e["campaign"].id for e in response.context["excluded"]] == ["sportmax-launch"]


def test_resend_a_delivery(ops_client, data):
    reserved, _ = data
    delivery = Delivery.objects.filter(event__notification_key=reserved.notification_key).first()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", schedule_step=4)
    ops_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk], "index": 0},
    )
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.schedule_step == 0


def test_notification_mode_needs_a_url(ops_client, acme):
    url = reverse("admin:partners_partner_change", args=["acme"])
    response = ops_client.post(
        url,
        {
            "name": "Acme",
            "enabled": "on",
            "domains": "acme.example",
            "notification_url": "",
            "confirmation_mode": "notification",
            "currency": "EUR",
            "session_ceiling": "1000.00",
            "legal-TOTAL_FORMS": "0",
            "legal-INITIAL_FORMS": "0",
            "users-TOTAL_FORMS": "0",
            "users-INITIAL_FORMS": "0",
            "signatures-TOTAL_FORMS": "0",
            "signatures-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "needs a notification URL" in response.content.decode()
    assert Partner.objects.get(pk="acme").confirmation_mode == "manual"


def test_audit_log_is_read_only(ops_client, data):
    assert ops_client.get(reverse("admin:admin_logentry_changelist")).status_code == 200
    assert ops_client.get(reverse("admin:admin_logentry_add")).status_code == 403
    assert payments  # the module is the one the admin calls
