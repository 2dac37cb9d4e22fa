"""Ledger checks for tests: amounts the services refuse and accept, a transaction's legs,
whether anything was written, the platform's balance and books that balance."""

from decimal import Decimal

from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction

INVALID_AMOUNTS = [
    0,
    "0",
    "0.00",
    -1,
    "-10.00",
    Decimal("-0.01"),
    "1.005",
    Decimal("10.001"),
    "0.001",
    "NaN",
    "Infinity",
    "-Infinity",
]
VALID_AMOUNTS = [
    (1, Decimal("1.00")),
    ("0.01", Decimal("0.01")),
    ("10.5", Decimal("10.50")),
    (Decimal("28.57"), Decimal("28.57")),
    ("100.000", Decimal("100.00")),  # a third decimal that is zero changes nothing
]


def nothing_written():
    return Transaction.objects.count() == 0 and Entry.objects.count() == 0


def legs_of(txn: Transaction) -> dict[str, Decimal]:
    return {e.account.code: e.amount for e in txn.entries.select_related("account")}


def is_balanced(txn: Transaction) -> bool:
    return sum(e.amount for e in txn.entries.all()) == 0


def platform_balance() -> Decimal:
    return ledger.balance(ledger.platform_account())


def books_balance():
    assert ledger.total_of_all_entries() == 0
    for txn in Transaction.objects.all():
        assert sum(e.amount for e in txn.entries.all()) == 0, txn
