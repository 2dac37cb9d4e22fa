"""`balances.mismatches` and `jackpot check --ledger`: an operator proves the running balances
against the entries, and each kind of damage is named."""

from decimal import Decimal

import pytest

from jackpot.cli import main
from jackpot.ledger import balances
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Balance, Entry, Transaction, TransactionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(partner):
    ledger.credit_wallet(partner, "50", reference="VIR", created_by="t")
    paid = ledger.debit_wallet_if_covered(partner, "28.57", reference="voucher:1")
    ledger.refund_to_wallet(partner, "28.57", reference="voucher:1", created_by="op", reverses=paid)
    ledger.settle_by_transfer(partner, "45", reference="statement:1", created_by="op")
    assert balances.mismatches() == []
    return partner


def check_ledger(capsys) -> tuple[int, str]:
    code = main(["check", "--ledger"])
    lines = [line for line in capsys.readouterr().out.splitlines() if " ledger:" in line]
    assert len(lines) == 1, lines
    return code, lines[0]


def test_check_ledger_passes_on_books_kept_by_the_ledger(books, capsys):
    code, line = check_ledger(capsys)
    assert code == 0
    assert line.startswith("ok   ledger: every balance is the sum of its entries")


def test_an_entry_written_behind_the_ledgers_back_is_named(books, capsys):
    txn = Transaction.objects.filter(kind=TransactionKind.TOP_UP).get()
    Entry.objects.create(
        transaction=txn,
        account=ledger.wallet_account(books),
        amount=Decimal("1.00"),
        created_at=txn.created_at,
    )
    problems = balances.mismatches()
    assert "wallet:acme: balance 50.00, entries sum to 51.00" in problems
    assert any("has no balance after it (the entries say 51.00)" in p for p in problems), problems
    assert "the entries sum to 1.00, not 0" in problems

    code, line = check_ledger(capsys)
    assert code == 1
    assert line.startswith("FAIL ledger: wallet:acme: balance 50.00, entries sum to 51.00")


def test_a_balance_edited_by_hand_is_named(books):
    Balance.objects.filter(account__code="platform:EUR").update(amount=Decimal("0.00"))
    assert balances.mismatches() == ["platform:EUR: balance 0.00, entries sum to 45.00"]


def test_a_wallet_row_in_another_partners_lane_is_named(books):
    Balance.objects.filter(account__code="wallet:acme").update(lane="beta")
    assert balances.mismatches() == ["wallet:acme: a balance row for lane 'beta'"]


def test_a_wallet_overdrawn_even_for_a_moment_is_named(partner):
    wallet, bank = ledger.wallet_account(partner), ledger.bank_account()
    ledger.post(TransactionKind.TOP_UP, "x", [(wallet, Decimal("-5")), (bank, Decimal("5"))])
    overdraw = Entry.objects.get(account=wallet).pk
    assert balances.mismatches() == [
        "wallet:acme overdrawn: -5.00",
        f"wallet:acme: entry {overdraw} left the wallet at -5.00, below zero",
    ]
    ledger.post(TransactionKind.TOP_UP, "y", [(wallet, Decimal("7")), (bank, Decimal("-7"))])
    assert balances.mismatches() == [
        f"wallet:acme: entry {overdraw} left the wallet at -5.00, below zero"
    ]


def test_a_running_balance_edited_on_an_entry_is_named(books):
    top_up = Entry.objects.get(account__code="wallet:acme", amount=Decimal("50.00"))
    Entry.objects.filter(pk=top_up.pk).update(balance_after=Decimal("60.00"))
    assert balances.mismatches() == [
        f"wallet:acme: entry {top_up.pk} says the balance became 60.00, the entries say 50.00"
    ]
