"""How vouchers are paid (SPEC §7): from the wallet at confirmation, by statement, and refunds.

Partners act through the API (reserve, `PUT /v2/voucher/{id}/confirm`, refund, wallet and
statement reads); the operator's side (top-ups, statements, payments, refund decisions) is
called in Python, as the CLI and back-office do.
"""

import csv
import io
import re
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction, TransactionKind
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import PaymentState, State, Statement, Voucher

BY_VALUE = "/v2/stores/{store}/offers/{offer}/reserve-voucher-by-value"
SPORTMAX = BY_VALUE.format(store="sportmax", offer="sportmax-launch")
BOOKLY = BY_VALUE.format(store="bookly", offer="bookly-min")
# A 30 € SportMax voucher (+5 %) costs 28.57 €; Bookly's (−10 %) 20 € and 50 € cost 18 € and 45 €.
PRICE_30 = Decimal("28.57")

EVER = datetime(2000, 1, 1, tzinfo=UTC)
IS_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]


def forever():
    return timezone.now() + timedelta(days=1)


@pytest.fixture
def manual(make_partner, catalog):
    """A partner that confirms its vouchers itself (they wait in RESERVED)."""
    return make_partner("acme", confirmation_mode="manual")


@pytest.fixture
def beta(make_partner):
    return make_partner("beta", domains=["beta.example"])


@pytest.fixture
def money(api_client, build_token):
    """The partner's side through the API."""

    class Money:
        def reserve(self, path=SPORTMAX, value=30):
            status, body = api_client.post(
                path, {"value": value}, bearer=api_client.session(build_token())
            )
            assert status == 201, body
            return body

        def confirm(self, partner, voucher_id, **headers):
            return api_client.put(
                f"/v2/voucher/{voucher_id}/confirm", apikey=partner.issued.apiKey, **headers
            )

        def confirmed(self, partner, path=SPORTMAX, value=30):
            status, body = self.confirm(partner, self.reserve(path, value)["id"])
            assert status == 200, body
            return body

        def refund(self, partner, voucher_id):
            return api_client.post(f"/v2/voucher/{voucher_id}/refund", apikey=partner.issued.apiKey)

        def get(self, partner, path, **headers):
            return api_client.get(path, apikey=partner.issued.apiKey, **headers)

    return Money()


def top_up(partner, amount) -> Transaction:
    return ledger.credit_wallet(partner, amount, reference="VIR-test", created_by="test")


def platform_balance() -> Decimal:
    return ledger.balance(ledger.platform_account())


def voucher(voucher_id) -> Voucher:
    return Voucher.objects.get(pk=voucher_id)


def books_balance():
    assert ledger.total_of_all_entries() == 0
    for txn in Transaction.objects.all():
        assert sum(e.amount for e in txn.entries.all()) == 0, txn


def refunded(partner, money, voucher_id, accept=True):
    """Deliver the voucher, ask for its refund through the API, and decide it as the operator."""
    lifecycle.transition(voucher_id, "deliver", "store")
    status, body = money.refund(partner, voucher_id)
    assert status == 200 and body["state"] == "REFUNDING", body
    return lifecycle.transition(
        voucher_id, "accept_refund" if accept else "reject_refund", "operator"
    )


# ---------------------------------------------------------------------------------------------
# Payment at confirmation
# ---------------------------------------------------------------------------------------------


def test_a_funded_wallet_pays_the_voucher_at_confirmation(manual, money):
    top_up(manual, "100")
    reserved = money.reserve()
    assert reserved["paymentState"] is None and reserved["price"] == float(PRICE_30)
    assert not Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).exists()

    status, body = money.confirm(manual, reserved["id"])

    assert status == 200
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "PAID"
    payment = Transaction.objects.get(reference=f"voucher:{reserved['id']}")
    assert payment.kind == TransactionKind.VOUCHER_PAYMENT
    assert body["walletOperationId"] == str(payment.id)
    assert {e.account.code: e.amount for e in payment.entries.all()} == {
        "wallet:acme": -PRICE_30,
        "platform:EUR": PRICE_30,
    }
    assert ledger.wallet_balance(manual) == Decimal("100") - PRICE_30
    assert platform_balance() == PRICE_30
    books_balance()
    # Reading the voucher later tells the same.
    status, again = money.get(manual, f"/v2/voucher/{reserved['id']}")
    assert (again["paymentState"], again["walletOperationId"]) == ("PAID", str(payment.id))


@pytest.mark.parametrize("funds", [None, "28.56"])
def test_a_wallet_that_does_not_cover_the_price_leaves_the_voucher_due(manual, money, funds):
    if funds:
        top_up(manual, funds)
    status, body = money.confirm(manual, money.reserve()["id"])
    assert status == 200
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "DUE"
    assert body["walletOperationId"] is None
    assert not Transaction.objects.exclude(kind=TransactionKind.TOP_UP).exists()
    assert ledger.wallet_balance(manual) == Decimal(funds or "0")  # nothing taken, not even part
    assert platform_balance() == 0


def test_the_wallet_pays_while_it_covers_then_vouchers_are_due(manual, money):
    top_up(manual, PRICE_30 * 2)
    states = [money.confirmed(manual)["paymentState"] for _ in range(3)]
    assert states == ["PAID", "PAID", "DUE"]
    assert ledger.wallet_balance(manual) == Decimal("0.00")
    assert platform_balance() == PRICE_30 * 2
    books_balance()


def test_an_auto_confirming_partner_with_a_funded_wallet_gets_a_paid_voucher_at_reservation(
    partner, catalog, money
):
    top_up(partner, "50")
    body = money.reserve()
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "PAID"
    payment = Transaction.objects.get(kind=TransactionKind.VOUCHER_PAYMENT)
    assert body["walletOperationId"] == str(payment.id)
    assert payment.reference == f"voucher:{body['id']}"
    assert ledger.wallet_balance(partner) == Decimal("50") - PRICE_30


def test_an_auto_confirming_partner_without_funds_gets_a_due_voucher(partner, catalog, money):
    body = money.reserve()
    assert body["state"] == "CONFIRMED" and body["paymentState"] == "DUE"
    assert not Transaction.objects.exists()


def test_vouchers_that_are_never_confirmed_are_never_paid(manual, money):
    top_up(manual, "100")
    canceled, expired = money.reserve(), money.reserve()
    lifecycle.transition(canceled["id"], "cancel", "partner:acme")
    lifecycle.transition(expired["id"], "expire", "worker")
    for v in (voucher(canceled["id"]), voucher(expired["id"])):
        assert v.payment_state == "" and v.wallet_operation_id == ""
    assert ledger.wallet_balance(manual) == Decimal("100.00")
    assert Transaction.objects.count() == 1


def test_a_confirmation_retried_with_its_idempotency_key_pays_once(manual, money):
    top_up(manual, "100")
    voucher_id = money.reserve()["id"]
    first = money.confirm(manual, voucher_id, **{"Idempotency-Key": "confirm-1"})
    again = money.confirm(manual, voucher_id, **{"Idempotency-Key": "confirm-1"})
    assert first == again
    assert first[0] == 200 and first[1]["paymentState"] == "PAID"
    assert Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).count() == 1
    assert ledger.wallet_balance(manual) == Decimal("100") - PRICE_30


def test_another_partners_wallet_never_pays(manual, money, beta):
    top_up(beta, "1000")
    assert money.confirmed(manual)["paymentState"] == "DUE"
    assert ledger.wallet_balance(beta) == Decimal("1000.00")


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


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

    rows = list(csv.reader(io.StringIO(payments.statement_csv(statement))))

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


def pdf_text(data: bytes) -> str:
    """The text of a PDF: pypdf's if installed, else the (deflated) content streams, decoded."""
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF") and b"startxref" in data
    try:
        import pypdf
    except ImportError:
        chunks = []
        for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
            try:
                chunks.append(zlib.decompress(match.group(1)))
            except zlib.error:
                chunks.append(match.group(1))
        assert chunks, "a PDF without content streams"
        return b"\n".join(chunks).decode("latin-1")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_statement_pdf_is_a_pdf_naming_its_vouchers_and_total(manual, money):
    a, b = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    issued = payments.issue_statement(manual, EVER, forever(), "operator")
    statement = Statement.objects.get(pk=issued.pk)  # as the API reads it

    text = pdf_text(payments.statement_pdf(statement))

    assert f"Jackpot statement #{statement.pk}" in text
    assert "Acme (acme)" in text
    assert a["couponId"] in text and b["couponId"] in text
    assert "Total due" in text and "63.00 EUR" in text
    assert "awaiting payment" in text
    payments.record_statement_payment(statement, payment_reference="VIR-1", actor="operator")
    statement.refresh_from_db()
    assert f"paid {statement.paid_at:%Y-%m-%d}" in pdf_text(payments.statement_pdf(statement))


def test_a_statement_of_many_vouchers_spans_pages(manual, money):
    for _ in range(45):
        money.confirmed(manual, BOOKLY, 10)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    data = payments.statement_pdf(statement)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2
    assert "Total due" in pdf_text(data)


def test_the_issued_statements_total_has_two_places(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    money.confirmed(manual)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    assert statement.total == Decimal("18.00") + PRICE_30
    assert statement.total.as_tuple().exponent == -2
    assert list(csv.reader(io.StringIO(payments.statement_csv(statement))))[-1][4] == "46.57"
    assert "Total due" in pdf_text(payments.statement_pdf(statement))
    assert "46.57 EUR" in pdf_text(payments.statement_pdf(statement))


def test_a_statement_pdf_of_a_partner_with_a_non_latin1_name(make_partner, catalog, money):
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


# ---------------------------------------------------------------------------------------------
# Refunds
# ---------------------------------------------------------------------------------------------


def test_refunding_a_wallet_paid_voucher_reverses_its_payment_into_the_wallet(manual, money):
    top_up(manual, "100")
    paid = money.confirmed(manual)
    payment = Transaction.objects.get(pk=paid["walletOperationId"])

    final = refunded(manual, money, paid["id"])

    assert final.state == State.REFUNDED
    refund = Transaction.objects.get(kind=TransactionKind.REFUND)
    assert refund.reference == f"voucher:{paid['id']}"
    assert refund.reverses_id == payment.pk
    payment.refresh_from_db()
    assert payment.reversed_by == refund
    assert {e.account.code: e.amount for e in refund.entries.all()} == {
        "platform:EUR": -PRICE_30,
        "wallet:acme": PRICE_30,
    }
    assert ledger.wallet_balance(manual) == Decimal("100.00")
    assert platform_balance() == 0
    books_balance()
    status, lines = money.get(manual, "/v2/wallet/ledger")
    assert [(i["kind"], i["amount"]) for i in lines["items"]] == [
        ("refund", float(PRICE_30)),
        ("voucher_payment", -float(PRICE_30)),
        ("top_up", 100),
    ]


def test_refunding_a_due_voucher_moves_no_money(manual, money):
    due = money.confirmed(manual)
    assert due["paymentState"] == "DUE"
    final = refunded(manual, money, due["id"])
    assert final.state == State.REFUNDED
    assert not Transaction.objects.exists()
    assert not Entry.objects.exists()


def test_a_rejected_refund_moves_no_money(manual, money):
    top_up(manual, "100")
    paid = money.confirmed(manual)
    final = refunded(manual, money, paid["id"], accept=False)
    assert final.state == State.REFUND_REJECTED and final.payment_state == PaymentState.PAID
    assert not Transaction.objects.filter(kind=TransactionKind.REFUND).exists()
    assert ledger.wallet_balance(manual) == Decimal("100") - PRICE_30


def test_refunding_a_voucher_paid_by_statement_gives_its_price_to_the_wallet(manual, money):
    a, b = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    payments.record_statement_payment(statement, payment_reference="VIR", actor="operator")

    refunded(manual, money, a["id"])

    refund = Transaction.objects.get(kind=TransactionKind.REFUND)
    assert refund.reference == f"voucher:{a['id']}" and refund.reverses is None
    assert ledger.wallet_balance(manual) == Decimal("18.00")
    assert platform_balance() == Decimal("45.00")  # what the partner still pays for: b
    assert voucher(b["id"]).payment_state == PaymentState.PAID
    books_balance()


def test_a_voucher_refunded_while_its_statement_is_unpaid_is_not_paid_for(manual, money):
    a, kept = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    refunded(manual, money, a["id"])
    assert voucher(a["id"]).state == State.REFUNDED

    payments.record_statement_payment(statement, payment_reference="VIR", actor="operator")

    books_balance()
    assert voucher(kept["id"]).payment_state == PaymentState.PAID
    # Whatever the fix (a smaller settlement, or the refunded share back to the wallet), the
    # partner ends up paying only for the voucher it kept: the platform holds 45.00, not 63.00.
    assert platform_balance() == voucher(kept["id"]).price


def test_a_statement_whose_every_voucher_was_refunded_has_nothing_left_to_pay(manual, money):
    only = money.confirmed(manual, BOOKLY, 20)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    refunded(manual, money, only["id"])
    statement.refresh_from_db()
    assert statement.total == 0 and not statement.vouchers.exists()

    with pytest.raises(Problem) as refused:
        payments.record_statement_payment(statement, payment_reference="VIR", actor="operator")

    assert refused.value.code == "statement-empty" and refused.value.status == 409
    statement.refresh_from_db()
    assert statement.paid_at is None
    assert not Transaction.objects.exists()


def test_a_refund_can_be_asked_only_for_a_delivered_voucher(manual, money):
    top_up(manual, "100")
    paid = money.confirmed(manual)
    status, problem = money.refund(manual, paid["id"])
    assert status == 409 and problem["code"] == "voucher-state-conflict"
    assert not Transaction.objects.filter(kind=TransactionKind.REFUND).exists()


# ---------------------------------------------------------------------------------------------
# Store report
# ---------------------------------------------------------------------------------------------


def test_the_store_report_counts_issued_vouchers_value_bonus_and_what_is_owed(manual, money):
    march, april = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    inside = march + timedelta(days=10)
    top_up(manual, "1000")

    def issued(path, value, state=None, when=inside):
        body = money.confirmed(manual, path, value)
        update = {"confirm_date": when}
        if state:
            update["state"] = state
        Voucher.objects.filter(pk=body["id"]).update(**update)
        return body

    issued(BOOKLY, 20)  # CONFIRMED
    issued(BOOKLY, 50, State.SENT)
    issued(BOOKLY, 20, State.REFUNDED)  # taken back: not reported
    issued(SPORTMAX, 30, State.READY, when=march)  # the period's first instant
    issued(SPORTMAX, 30, State.REFUNDING)
    issued(SPORTMAX, 30, State.REFUND_REJECTED)
    issued(SPORTMAX, 30, when=april - timedelta(microseconds=1))
    issued(SPORTMAX, 30, when=april)  # the next period
    issued(SPORTMAX, 30, when=march - timedelta(seconds=1))  # the previous one
    money.reserve()  # RESERVED, never confirmed
    lifecycle.transition(money.reserve()["id"], "cancel", "partner:acme")

    report = payments.store_report(march, april)

    assert report == [
        {
            "storeId": "bookly",
            "storeName": "Bookly",
            "currency": "EUR",
            "vouchers": 2,
            "valueIssued": Decimal("70.00"),
            "bonusFunded": Decimal("7.00"),
            "owed": Decimal("63.00"),
        },
        {
            "storeId": "sportmax",
            "storeName": "SportMax",
            "currency": "EUR",
            "vouchers": 4,
            "valueIssued": Decimal("120.00"),
            "bonusFunded": Decimal("5.72"),
            "owed": Decimal("114.28"),
        },
    ]
    assert payments.store_report(april + timedelta(days=40), april + timedelta(days=70)) == []


def test_the_store_reports_amounts_have_two_places(manual, money):
    for _ in range(4):
        money.confirmed(manual)
    (row,) = payments.store_report(EVER, forever())
    assert (row["valueIssued"], row["bonusFunded"], row["owed"]) == (
        Decimal("120.00"),
        Decimal("5.72"),
        Decimal("114.28"),
    )
    for key in ("valueIssued", "bonusFunded", "owed"):
        assert row[key].as_tuple().exponent == -2, (key, row[key])


def test_the_store_report_does_not_depend_on_how_vouchers_were_paid(manual, money):
    top_up(manual, "18")
    money.confirmed(manual, BOOKLY, 20)  # PAID from the wallet
    money.confirmed(manual, BOOKLY, 20)  # DUE
    report = payments.store_report(EVER, forever())
    assert [(r["storeId"], r["vouchers"], r["owed"]) for r in report] == [
        ("bookly", 2, Decimal("36.00"))
    ]


# ---------------------------------------------------------------------------------------------
# The wallet API
# ---------------------------------------------------------------------------------------------


def test_get_wallet_shows_the_balance_and_the_low_balance_warning(manual, money):
    status, body = money.get(manual, "/v2/wallet")
    assert status == 200
    assert body == {
        "balance": 0,
        "currency": "EUR",
        "lowBalanceThreshold": None,
        "lowBalance": False,
    }
    top_up(manual, "100")
    money.confirmed(manual)
    account = ledger.wallet_account(manual)
    account.low_balance_threshold = Decimal("80")
    account.save()
    status, body = money.get(manual, "/v2/wallet")
    assert body == {
        "balance": 71.43,
        "currency": "EUR",
        "lowBalanceThreshold": 80,
        "lowBalance": True,
    }
    top_up(manual, "8.57")
    assert money.get(manual, "/v2/wallet")[1]["balance"] == 80
    assert money.get(manual, "/v2/wallet")[1]["lowBalance"] is False


def test_the_wallet_api_needs_a_partner_credential(manual, money, api_client, build_token):
    for path in ["/v2/wallet", "/v2/wallet/ledger", "/v2/statements"]:
        status, problem = api_client.get(path)
        assert status == 401, path
        status, problem = api_client.get(path, apikey="jpk_wrong")
        assert status == 401, path
        # A shopper's session credential is not the partner's.
        status, problem = api_client.get(path, bearer=api_client.session(build_token()))
        assert status == 401, path


def test_each_partner_sees_only_its_own_wallet(manual, money, beta):
    top_up(manual, "100")
    top_up(beta, "7")
    assert money.get(beta, "/v2/wallet")[1]["balance"] == 7
    status, lines = money.get(beta, "/v2/wallet/ledger")
    assert [i["amount"] for i in lines["items"]] == [7]


def test_the_wallet_ledger_pages_newest_first_with_a_cursor(manual, money):
    created = [top_up(manual, str(n)) for n in (10, 20, 30, 40, 50)]
    paid = money.confirmed(manual)
    created.append(Transaction.objects.get(pk=paid["walletOperationId"]))
    expected = [str(t.id) for t in reversed(created)]

    seen, cursor, pages = [], None, 0
    while True:
        path = "/v2/wallet/ledger?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = money.get(manual, path)
        assert status == 200, page
        pages += 1
        seen.extend(page["items"])
        assert page["hasMore"] is (page["nextCursor"] is not None)
        cursor = page["nextCursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 2
    assert pages == 3
    assert [i["transactionId"] for i in seen] == expected
    assert [i["amount"] for i in seen] == [-float(PRICE_30), 50, 40, 30, 20, 10]
    assert [i["kind"] for i in seen] == ["voucher_payment"] + ["top_up"] * 5
    assert seen[0]["reference"] == f"voucher:{paid['id']}"
    assert [i["createdAt"] for i in seen] == sorted((i["createdAt"] for i in seen), reverse=True)
    status, whole = money.get(manual, "/v2/wallet/ledger")
    assert [i["transactionId"] for i in whole["items"]] == expected
    assert whole["hasMore"] is False and whole["nextCursor"] is None


def test_the_wallet_ledger_of_a_new_partner_is_empty(manual, money):
    status, page = money.get(manual, "/v2/wallet/ledger")
    assert (status, page) == (200, {"items": [], "nextCursor": None, "hasMore": False})


@pytest.mark.parametrize(
    "query", ["cursor=not-a-cursor", "cursor=bm9wZQ", "limit=0", "limit=201", "limit=x"]
)
def test_a_bad_ledger_query_is_a_422(manual, money, query):
    status, problem = money.get(manual, f"/v2/wallet/ledger?{query}")
    assert status == 422 and problem["code"] == "validation-error"


# ---------------------------------------------------------------------------------------------
# The statements API
# ---------------------------------------------------------------------------------------------


def test_the_statements_api_lists_and_shows_the_partners_statements(manual, money):
    money.confirmed(manual, BOOKLY, 20)
    money.confirmed(manual, BOOKLY, 50)
    first = payments.issue_statement(manual, EVER, forever(), "operator")
    money.confirmed(manual, BOOKLY, 10)
    second = payments.issue_statement(manual, EVER, forever(), "operator")
    payments.record_statement_payment(first, payment_reference="VIR", actor="operator")
    first.refresh_from_db()

    status, listed = money.get(manual, "/v2/statements")
    assert status == 200
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
    assert response.content.decode() == payments.statement_csv(
        Statement.objects.get(pk=statement.pk)
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
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
    assert money.get(beta, "/v2/statements") == (200, [])
