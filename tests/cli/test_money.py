"""`jackpot wallet …`, `jackpot statement …` and `jackpot report stores`, run as an operator runs
them: printed JSON, exit 2 with a message for bad input, and what they leave in the books."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.cli import main
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Transaction, TransactionKind
from jackpot.vouchers import payments
from jackpot.vouchers.models import PaymentState, Statement, Voucher

pytestmark = pytest.mark.django_db

BOOKLY = "/v2/stores/bookly/offers/bookly-min/reserve-voucher-by-value"  # −10 %: 20 € costs 18 €
EVER, LATER = "2000-01-01", "2100-01-01"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def acme(make_partner, catalog):
    """A partner confirming its own vouchers: without funds in its wallet they are DUE."""
    return make_partner("acme", confirmation_mode="manual")


@pytest.fixture
def confirmed(acme, api_client, build_token):
    """Reserve and confirm a Bookly voucher of `value` through the API; returns its id."""

    def confirm(value=20) -> str:
        status, body = api_client.post(
            BOOKLY, {"value": value}, bearer=api_client.session(build_token())
        )
        assert status == 201, body
        status, body = api_client.put(
            f"/v2/voucher/{body['id']}/confirm", apikey=acme.issued.apiKey
        )
        assert status == 200, body
        return body["id"]

    return confirm


# --- wallet ---------------------------------------------------------------------------------


def test_wallet_credit_records_a_top_up_and_prints_the_balance(capsys, acme):
    code, out, _ = run(capsys, "wallet", "credit", "acme", "150.50", "--reference", "VIR-42")

    assert code == 0
    printed = json.loads(out)
    assert printed["balance"] == 150.5 and printed["currency"] == "EUR"
    txn = Transaction.objects.get(pk=printed["transactionId"])
    assert (txn.kind, txn.reference, txn.created_by) == (TransactionKind.TOP_UP, "VIR-42", "cli")
    assert ledger.wallet_balance(acme) == Decimal("150.50")


def test_wallet_credit_accepts_a_decimal_comma_and_names_a_top_up_without_reference(capsys, acme):
    code, out, _ = run(capsys, "wallet", "credit", "acme", "12,5")

    assert code == 0 and json.loads(out)["balance"] == 12.5
    assert Transaction.objects.get(kind=TransactionKind.TOP_UP).reference == "top-up"


def test_wallet_credit_with_an_idempotency_key_records_the_top_up_once(capsys, acme):
    argv = ("wallet", "credit", "acme", "100", "--idempotency-key", "vir-2026-001")
    first, second = (json.loads(run(capsys, *argv)[1]) for _ in range(2))

    assert first == second
    assert ledger.wallet_balance(acme) == Decimal("100.00")

    code, out, err = run(
        capsys, "wallet", "credit", "acme", "90", "--idempotency-key", "vir-2026-001"
    )
    assert (code, out) == (2, "")
    assert "Send a new key for a new movement." in err
    assert ledger.wallet_balance(acme) == Decimal("100.00")


@pytest.mark.parametrize("typed", ["100_0", "1e3", "-5", "0", "10.001", "dix", "NaN"])
def test_wallet_credit_refuses_what_is_not_an_amount_and_moves_nothing(capsys, acme, typed):
    code, out, err = run(capsys, "wallet", "credit", "acme", typed)

    assert (code, out) == (2, "")
    assert err.startswith("jackpot: AMOUNT: ") and repr(typed) in err
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ("wallet", "credit", "nobody", "10"),
        ("wallet", "show", "nobody"),
        ("wallet", "threshold", "nobody", "10"),
        ("statement", "issue", "nobody", "--from", EVER, "--to", LATER),
    ],
)
def test_an_unknown_partner_exits_2_naming_it(capsys, acme, argv):
    code, out, err = run(capsys, *argv)

    assert (code, out) == (2, "")
    assert "no partner 'nobody'" in err
    assert not Transaction.objects.exists() and not Statement.objects.exists()


def test_wallet_show_prints_the_balance_the_threshold_and_the_latest_movements(capsys, acme):
    ledger.credit_wallet(acme, Decimal("40"), reference="VIR-1", created_by="test")
    ledger.credit_wallet(acme, Decimal("2.50"), reference="VIR-2", created_by="test")
    ledger.set_low_balance_threshold(acme, Decimal("50"))

    code, out, _ = run(capsys, "wallet", "show", "acme", "--limit", "1")

    assert code == 0
    shown = json.loads(out)
    assert {k: shown[k] for k in ("partner", "balance", "currency", "lowBalanceThreshold")} == {
        "partner": "acme",
        "balance": 42.5,
        "currency": "EUR",
        "lowBalanceThreshold": 50,
    }
    assert shown["lowBalance"] is True
    (latest,) = shown["latest"]  # --limit 1: the newest only
    assert (latest["kind"], latest["reference"], latest["amount"]) == (
        TransactionKind.TOP_UP,
        "VIR-2",
        2.5,
    )
    assert latest["at"].endswith("Z")


def test_wallet_show_of_a_wallet_never_topped_up(capsys, acme):
    code, out, _ = run(capsys, "wallet", "show", "acme")

    assert code == 0
    shown = json.loads(out)
    assert shown["balance"] == 0 and shown["latest"] == []
    assert shown["lowBalanceThreshold"] is None and shown["lowBalance"] is False


def test_wallet_threshold_sets_and_removes_the_low_balance_warning(capsys, acme):
    code, out, _ = run(capsys, "wallet", "threshold", "acme", "25.50")

    assert code == 0
    assert json.loads(out) == {"partner": "acme", "lowBalanceThreshold": 25.5}
    assert ledger.wallet_status(acme).low_balance_threshold == Decimal("25.50")

    code, out, _ = run(capsys, "wallet", "threshold", "acme", "none")

    assert code == 0
    assert json.loads(out) == {"partner": "acme", "lowBalanceThreshold": None}
    assert ledger.wallet_status(acme).low_balance_threshold is None


def test_wallet_threshold_refuses_a_bad_amount_and_keeps_the_old_one(capsys, acme):
    ledger.set_low_balance_threshold(acme, Decimal("10"))

    code, _, err = run(capsys, "wallet", "threshold", "acme", "100_0")

    assert code == 2 and "AMOUNT: '100_0' is not an amount" in err
    assert ledger.wallet_status(acme).low_balance_threshold == Decimal("10.00")


# --- statements -----------------------------------------------------------------------------


def test_statement_issue_lists_the_due_vouchers_and_writes_csv_and_pdf(
    capsys, acme, confirmed, tmp_path
):
    ids = {confirmed(20), confirmed(50)}  # 18 € + 45 €
    csv_path, pdf_path = tmp_path / "statement.csv", tmp_path / "statement.pdf"

    code, out, _ = run(
        capsys,
        "statement",
        "issue",
        "acme",
        "--from",
        EVER,
        "--to",
        LATER,
        "--csv",
        str(csv_path),
        "--pdf",
        str(pdf_path),
    )

    assert code == 0
    printed = json.loads(out)
    statement = Statement.objects.get(pk=printed["statement"])
    assert printed == {
        "statement": statement.pk,
        "partner": "acme",
        "total": 63,
        "currency": "EUR",
        "vouchers": 2,
    }
    assert statement.issued_by == "cli" and statement.total == Decimal("63.00")
    assert {str(v.pk) for v in statement.vouchers.all()} == ids
    assert set(Voucher.objects.values_list("payment_state", flat=True)) == {PaymentState.WAITING}
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert rows[0] == payments.STATEMENT_COLUMNS
    assert {r[1] for r in rows[1:-1]} == ids
    assert rows[-1][0] == "TOTAL" and rows[-1][4] == "63.00"
    assert pdf_path.read_bytes().startswith(b"%PDF-")


def test_statement_issue_writes_no_file_unless_asked(capsys, acme, confirmed, tmp_path):
    confirmed()
    code, _, _ = run(capsys, "statement", "issue", "acme", "--from", EVER, "--to", LATER)

    assert code == 0
    assert list(tmp_path.iterdir()) == []


def test_statement_issue_counts_the_period_from_the_first_day_to_the_last_both_included(
    capsys, acme, confirmed
):
    last_minute, next_day = confirmed(), confirmed()
    Voucher.objects.filter(pk=last_minute).update(
        confirm_date=datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    )
    Voucher.objects.filter(pk=next_day).update(confirm_date=datetime(2026, 4, 1, tzinfo=UTC))

    code, _, err = run(capsys, "statement", "issue", "acme", "--from", EVER, "--to", "2026-03-30")
    assert code == 2 and "acme has no DUE voucher confirmed in that period." in err

    code, out, _ = run(
        capsys, "statement", "issue", "acme", "--from", "2026-03-31", "--to", "2026-03-31"
    )
    assert code == 0 and json.loads(out)["vouchers"] == 1
    assert {str(v.pk) for v in Statement.objects.get().vouchers.all()} == {last_minute}


@pytest.mark.parametrize(
    "period, message",
    [
        (("--from", "March", "--to", LATER), "--from: 'March' is not a date (YYYY-MM-DD)"),
        (("--from", EVER, "--to", "2026-13-01"), "--to: '2026-13-01' is not a date"),
        (("--from", LATER, "--to", EVER), "The period ends before it starts"),
    ],
)
def test_statement_issue_refuses_a_bad_period(capsys, acme, confirmed, period, message):
    confirmed()

    code, out, err = run(capsys, "statement", "issue", "acme", *period)

    assert (code, out) == (2, "")
    assert message in err
    assert not Statement.objects.exists()
    assert Voucher.objects.get().payment_state == PaymentState.DUE


def test_statement_pay_records_the_transfer_and_the_vouchers_become_paid(capsys, acme, confirmed):
    confirmed(20)
    statement = payments.issue_statement(
        acme, timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1), "test"
    )

    code, out, _ = run(capsys, "statement", "pay", str(statement.pk), "--reference", "VIR-77")

    assert code == 0
    printed = json.loads(out)
    statement.refresh_from_db()
    assert printed == {
        "statement": statement.pk,
        "paidAt": printed["paidAt"],
        "transactionId": statement.transaction_id,
    }
    assert printed["paidAt"].endswith("Z") and statement.paid_at is not None
    assert statement.payment_reference == "VIR-77"
    transfer = Transaction.objects.get(pk=statement.transaction_id)
    assert (transfer.kind, transfer.created_by) == (TransactionKind.STATEMENT_PAYMENT, "cli")
    assert Voucher.objects.get().payment_state == PaymentState.PAID
    assert ledger.total_of_all_entries() == 0


def test_statement_pay_twice_is_refused_unless_it_is_the_same_payment_again(
    capsys, acme, confirmed
):
    confirmed()
    statement = payments.issue_statement(
        acme, timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1), "test"
    )
    pay = ("statement", "pay", str(statement.pk), "--reference", "VIR-1")

    code, first, _ = run(capsys, *pay, "--idempotency-key", "pay-1")
    assert code == 0
    code, again, _ = run(capsys, *pay, "--idempotency-key", "pay-1")
    assert code == 0 and again == first

    code, out, err = run(capsys, *pay)
    assert (code, out) == (2, "")
    assert "This statement is already paid" in err
    assert Transaction.objects.filter(kind=TransactionKind.STATEMENT_PAYMENT).count() == 1


def test_statement_pay_of_an_unknown_statement_exits_2(capsys, acme):
    code, out, err = run(capsys, "statement", "pay", "999", "--reference", "VIR-1")

    assert (code, out) == (2, "")
    assert "no statement 999" in err


# --- report ---------------------------------------------------------------------------------


def test_report_stores_prints_per_store_what_was_issued_funded_and_owed(capsys, acme, confirmed):
    confirmed(20)
    confirmed(50)

    code, out, _ = run(capsys, "report", "stores", "--from", EVER, "--to", LATER)

    assert code == 0
    (row,) = json.loads(out)
    assert row == {
        "storeId": "bookly",
        "storeName": row["storeName"],
        "currency": "EUR",
        "vouchers": 2,
        "valueIssued": 70,
        "bonusFunded": 7,
        "owed": 63,
    }


def test_report_stores_of_an_empty_period_is_an_empty_list(capsys, acme, confirmed):
    confirmed()

    code, out, _ = run(capsys, "report", "stores", "--from", "2001-01-01", "--to", "2001-02-01")

    assert (code, json.loads(out)) == (0, [])


def test_report_stores_refuses_a_date_it_cannot_read(capsys, db):
    code, out, err = run(capsys, "report", "stores", "--from", "yesterday", "--to", LATER)

    assert (code, out) == (2, "")
    assert "--from: 'yesterday' is not a date (YYYY-MM-DD)" in err
