"""Money actions in the operator admin: refund decisions and statements go through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jackpot.core.formatting import money
from jackpot.ledger import services as ledger
from jackpot.vouchers.models import PaymentState, State, Statement, Voucher

pytestmark = pytest.mark.django_db


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


def test_the_accounts_list_shows_each_kept_balance_without_reading_the_entries(ops_client, acme):
    ledger.credit_wallet(acme, "50", reference="VIR", created_by="test")
    ledger.settle_by_transfer(acme, "7.5", reference="statement:1", created_by="test")
    with CaptureQueriesContext(connection) as queries:
        response = ops_client.get(reverse("admin:ledger_account_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    for code, balance in (("wallet:acme", "50"), ("platform:EUR", "7.5"), ("bank:EUR", "-57.5")):
        row = page[page.index(f">{code}<") :].split("</tr>")[0]
        assert money(Decimal(balance), "EUR") in row, row
    assert not [q for q in queries.captured_queries if 'FROM "ledger_entry"' in q["sql"]]
