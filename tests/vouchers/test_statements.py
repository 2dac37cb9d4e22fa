"""Statements (SPEC §7): the period's due vouchers listed, as CSV and PDF, issued and paid once;
and the statements API.

Partners act through the API; the operator's side (statements, payments) is called in Python,
as the CLI and back-office do.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Transaction, TransactionKind
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import PaymentState, State, Statement, Voucher
from support.documents import pdf_text
from support.ledger import books_balance, platform_balance
from support.payments import BOOKLY, EVER, PRICE_30, forever, refunded, top_up, voucher


def confirmed_on(voucher_id, moment):
    Voucher.objects.filter(pk=voucher_id).update(confirm_date=moment)


def test_a_statement_lists_the_periods_due_vouchers_which_become_waiting(manual, money, beta):
    march = datetime(2026, 3, 1, tzinfo=UTC)
    april = datetime(2026, 4, 1, tzinfo=UTC)
    first = money.confirmed(manual, BOOKLY, 20)  # DUE, 18 €
    last = money.confirmed(manual, BOOKLY, 50)  # DUE, 45 €
    before = money.confirmed(manual, BOOKLY, 20)
    at_the_end = money.confirmed(manual, BOOKLY, 20)
    reserved_only = money.reserve()
    confirmed_on(first["id"], march)  # the period's start is included
    confirmed_on(last["id"], april - timedelta(microseconds=1))
    confirmed_on(before["id"], march - timedelta(microseconds=1))
    confirmed_on(at_the_end["id"], april)  # its end is not
    top_up(manual, "100")
    paid = money.confirmed(manual)
    confirmed_on(paid["id"], march + timedelta(days=1))
    assert paid["paymentState"] == "PAID"

    statement = payments.issue_statement(manual, march, april, "operator")

    assert statement.partner_id == "acme" and statement.currency == "EUR"
    assert (statement.period_start, statement.period_end) == (march, april)
    assert statement.issued_by == "operator" and statement.paid_at is None
    assert statement.total == Decimal("63.00")
    assert set(statement.vouchers.values_list("pk", flat=True)) == {
        voucher(first["id"]).pk,
        voucher(last["id"]).pk,
    }
    assert statement.total == sum(v.price for v in statement.vouchers.all())
    for v in statement.vouchers.all():
        assert v.payment_state == PaymentState.WAITING
    status, body = money.get(manual, f"/v2/voucher/{first['id']}")
    assert body["paymentState"] == "WAITING"
    for other in (before, at_the_end):
        assert voucher(other["id"]).payment_state == PaymentState.DUE
        assert voucher(other["id"]).statement is None
    assert voucher(paid["id"]).payment_state == PaymentState.PAID
    assert voucher(reserved_only["id"]).payment_state == ""
    # Issuing a statement moves no money.
    assert not Transaction.objects.filter(kind=TransactionKind.STATEMENT_PAYMENT).exists()
    assert platform_balance() == PRICE_30


def test_a_statement_lists_delivered_and_sent_vouchers_too(manual, money):
    ready, sent = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    lifecycle.transition(ready["id"], "deliver", "store")
    lifecycle.transition(sent["id"], "deliver", "store")
    lifecycle.transition(sent["id"], "send", "store")
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    assert statement.vouchers.count() == 2 and statement.total == Decimal("63.00")


def test_a_statement_only_lists_its_partners_vouchers(manual, money, beta):
    mine = money.confirmed(manual, BOOKLY, 20)
    with pytest.raises(Problem) as refused:
        payments.issue_statement(beta, EVER, forever(), "operator")
    assert refused.value.code == "nothing-due"
    assert voucher(mine["id"]).payment_state == PaymentState.DUE


def test_a_statement_csv_lists_its_vouchers_and_a_total_row(manual, money):
    a, b = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual)
    issued = payments.issue_statement(manual, EVER, forever(), "operator")
    statement = Statement.objects.get(pk=issued.pk)  # as the API reads it

    rows = list(csv.reader(payments.statement_lines(statement)))

    assert rows[0] == payments.STATEMENT_COLUMNS
    body, total = rows[1:-1], rows[-1]
    assert sorted(r[1] for r in body) == sorted([a["id"], b["id"]])
    by_id = {r[1]: r for r in body}
    assert by_id[a["id"]] == [
        a["couponId"],
        a["id"],
        "bookly",
        by_id[a["id"]][3],
        "18.00",
        "20.00",
        "EUR",
    ]
    assert by_id[b["id"]][4:] == [str(PRICE_30), "30.00", "EUR"]
    assert [r[3] for r in body] == sorted(r[3] for r in body)  # in confirmation order
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r[3]) for r in body)
    assert total == ["TOTAL", "", "", "", str(Decimal("18.00") + PRICE_30), "", "EUR"]
    assert sum(Decimal(r[4]) for r in body) == Decimal(total[4]) == statement.total


def test_a_statement_pdf_is_a_pdf_naming_its_vouchers_and_total(manual, money):
    a, b = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    issued = payments.issue_statement(manual, EVER, forever(), "operator")
    statement = Statement.objects.get(pk=issued.pk)  # as the API reads it

    text = pdf_text(payments.statement_pdf(statement))

    assert f"Relevé / Statement n° {statement.pk}" in text
    assert "Acme (acme)" in text
    assert a["couponId"] in text and b["couponId"] in text
    assert "Total dû / Total due" in text and "63,00\u00a0€" in text
    assert "En attente de paiement / Awaiting payment" in text
    payments.record_statement_payment(statement, payment_reference="VIR-1", actor="operator")
    statement.refresh_from_db()
    paid = pdf_text(payments.statement_pdf(statement))
    assert f"Payé le / Paid on {statement.paid_at:%d/%m/%Y} (ref. VIR-1)" in paid


def test_a_statement_of_many_vouchers_spans_pages(manual, money):
    for _ in range(45):
        money.confirmed(manual, BOOKLY, 10)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    data = payments.statement_pdf(statement)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2
    assert "Total dû / Total due" in pdf_text(data)


def test_the_issued_statements_total_has_two_places(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    money.confirmed(manual)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    assert statement.total == Decimal("18.00") + PRICE_30
    assert statement.total.as_tuple().exponent == -2
    assert list(csv.reader(payments.statement_lines(statement)))[-1][4] == "46.57"
    assert "Total dû / Total due" in pdf_text(payments.statement_pdf(statement))
    assert "46,57\u00a0€" in pdf_text(payments.statement_pdf(statement))  # the page's French first


def test_a_statement_pdf_of_a_partner_with_a_name_beyond_winansi(make_partner, catalog, money):
    partner = make_partner("acme", name="Łódź Cashback — €", confirmation_mode="manual")
    money.confirmed(partner, BOOKLY, 20)
    statement = payments.issue_statement(partner, EVER, forever(), "operator")
    assert pdf_text(payments.statement_pdf(statement))


def test_nothing_due_is_a_conflict_and_issues_no_statement(manual, money):
    with pytest.raises(Problem) as refused:
        payments.issue_statement(manual, EVER, forever(), "operator")
    assert (refused.value.code, refused.value.status) == ("nothing-due", 409)
    money.confirmed(manual, BOOKLY, 20)
    payments.issue_statement(manual, EVER, forever(), "operator")
    # The same period again: its vouchers are WAITING now, nothing is DUE.
    with pytest.raises(Problem) as again:
        payments.issue_statement(manual, EVER, forever(), "operator")
    assert again.value.code == "nothing-due"
    assert Statement.objects.count() == 1


def test_a_period_that_ends_before_it_starts_is_refused(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    moment = timezone.now()
    for start, end in [(moment, moment), (moment, moment - timedelta(days=1))]:
        with pytest.raises(Problem) as refused:
            payments.issue_statement(manual, start, end, "operator")
        assert (refused.value.code, refused.value.status) == ("invalid-period", 422)
    assert Statement.objects.count() == 0


def test_paying_a_statement_posts_one_transfer_and_makes_its_vouchers_paid(manual, money):
    a, b = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    later = money.confirmed(manual, BOOKLY, 20)  # not on the statement

    paid = payments.record_statement_payment(
        statement, payment_reference="VIR-2026-04", actor="operator"
    )

    assert paid.paid_at is not None and paid.payment_reference == "VIR-2026-04"
    transfer = Transaction.objects.get(kind=TransactionKind.STATEMENT_PAYMENT)
    assert paid.transaction_id == str(transfer.id)
    assert transfer.reference == f"statement:{statement.pk}"
    assert {e.account.code: e.amount for e in transfer.entries.all()} == {
        "bank:EUR": Decimal("-63.00"),
        "platform:EUR": Decimal("63.00"),
    }
    assert ledger.wallet_balance(manual) == 0  # a transfer does not touch the wallet
    for v in (a, b):
        assert voucher(v["id"]).payment_state == PaymentState.PAID
        assert voucher(v["id"]).wallet_operation_id == ""
    assert voucher(later["id"]).payment_state == PaymentState.DUE
    books_balance()

    with pytest.raises(Problem) as twice:
        payments.record_statement_payment(statement, payment_reference="VIR-again", actor="op")
    assert (twice.value.code, twice.value.status) == ("statement-already-paid", 409)
    assert Transaction.objects.filter(kind=TransactionKind.STATEMENT_PAYMENT).count() == 1
    statement.refresh_from_db()
    assert statement.payment_reference == "VIR-2026-04"


def test_paying_a_statement_again_with_the_same_idempotency_key_is_a_replay(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    first = payments.record_statement_payment(
        statement, payment_reference="VIR-1", actor="op", idempotency_key="pay-statement-1"
    )
    again = payments.record_statement_payment(
        statement, payment_reference="VIR-1", actor="op", idempotency_key="pay-statement-1"
    )
    assert again.transaction_id == first.transaction_id
    assert Transaction.objects.filter(kind=TransactionKind.STATEMENT_PAYMENT).count() == 1


def test_a_statement_payment_key_reused_for_another_statement_is_refused(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    first = payments.issue_statement(manual, EVER, forever(), "operator")
    payments.record_statement_payment(first, payment_reference="V", actor="op", idempotency_key="k")
    money.confirmed(manual, BOOKLY, 20)
    second = payments.issue_statement(manual, EVER, forever(), "operator")
    with pytest.raises(Problem) as refused:
        payments.record_statement_payment(
            second, payment_reference="V", actor="op", idempotency_key="k"
        )
    assert refused.value.code == "idempotency-key-reused"
    second.refresh_from_db()
    assert second.paid_at is None
    assert second.vouchers.get().payment_state == PaymentState.WAITING


def test_a_due_voucher_whose_refund_was_rejected_is_still_billed(manual, money):
    v = money.confirmed(manual, BOOKLY, 20)
    refunded(manual, money, v["id"], accept=False)
    assert voucher(v["id"]).state == State.REFUND_REJECTED
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    assert statement.total == Decimal("18.00")


def test_the_statements_api_lists_and_shows_the_partners_statements(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    money.confirmed(manual, BOOKLY, 50)
    first = payments.issue_statement(manual, EVER, forever(), "operator")
    money.confirmed(manual, BOOKLY, 10)
    second = payments.issue_statement(manual, EVER, forever(), "operator")
    payments.record_statement_payment(first, payment_reference="VIR", actor="operator")
    first.refresh_from_db()

    status, page = money.get(manual, "/v2/statements")
    assert status == 200
    assert page["nextCursor"] is None and page["hasMore"] is False
    listed = page["items"]
    assert [s["id"] for s in listed] == [second.pk, first.pk]  # newest first
    status, detail = money.get(manual, f"/v2/statements/{first.pk}")
    assert status == 200
    assert detail == listed[1]
    assert detail["total"] == 63 and detail["currency"] == "EUR" and detail["vouchers"] == 2
    assert detail["periodStart"] == "2000-01-01T00:00:00.000Z"
    assert detail["paidAt"] is not None and detail["paidAt"].endswith("Z")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", detail["issuedAt"])
    assert listed[0]["total"] == 9 and listed[0]["vouchers"] == 1 and listed[0]["paidAt"] is None


def test_the_statements_api_serves_csv_and_pdf(manual, money, api_client):
    v = money.confirmed(manual, BOOKLY, 20)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    apikey = manual.issued.apiKey

    response = api_client.raw.get(f"/v2/statements/{statement.pk}/csv", HTTP_APIKEY=apikey)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"jackpot-statement-{statement.pk}.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()  # streamed, a chunk of rows at a time
    assert text == "".join(payments.statement_lines(Statement.objects.get(pk=statement.pk)))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == v["id"] and rows[-1][0] == "TOTAL" and rows[-1][4] == "18.00"

    response = api_client.raw.get(f"/v2/statements/{statement.pk}/pdf", HTTP_APIKEY=apikey)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"jackpot-statement-{statement.pk}.pdf" in response["Content-Disposition"]
    assert v["couponId"] in pdf_text(response.content)


def test_another_partners_statement_is_not_found(manual, money, beta):
    money.confirmed(manual, BOOKLY, 20)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    for suffix in ["", "/csv", "/pdf"]:
        status, problem = money.get(beta, f"/v2/statements/{statement.pk}{suffix}")
        assert status == 404 and problem["code"] == "statement-not-found", suffix
        status, problem = money.get(manual, f"/v2/statements/{statement.pk + 1000}{suffix}")
        assert status == 404 and problem["code"] == "statement-not-found", suffix
    empty = {"items": [], "nextCursor": None, "hasMore": False}
    assert money.get(beta, "/v2/statements") == (200, empty)
