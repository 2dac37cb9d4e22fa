"""The ledger's services (SPEC §7): accounts, balances derived from entries, the wallet's status,
and the books that always balance.

Unit specs of `jackpot.ledger.services`, against the database; posting and each movement have
their own files (test_post.py, test_movements.py).
"""

from decimal import Decimal

import pytest

from jackpot.ledger import services as ledger
from jackpot.ledger.models import Account, AccountKind, Entry, Transaction, TransactionKind
from support.ledger import is_balanced

pytestmark = pytest.mark.django_db


def test_wallet_account_is_created_once_per_partner(partner, make_partner):
    first = ledger.wallet_account(partner)
    assert ledger.wallet_account(partner).pk == first.pk
    assert (first.code, first.kind, first.partner_id, first.currency) == (
        f"wallet:{partner.pk}",
        AccountKind.PARTNER_WALLET,
        partner.pk,
        partner.currency,
    )
    assert first.low_balance_threshold is None
    other = ledger.wallet_account(make_partner("beta", domains=["beta.example"]))
    assert other.pk != first.pk and other.code == "wallet:beta"
    assert Account.objects.filter(kind=AccountKind.PARTNER_WALLET).count() == 2


def test_platform_and_bank_accounts_are_one_per_currency():
    platform = ledger.platform_account()
    bank = ledger.bank_account()
    assert (platform.code, platform.kind, platform.currency) == (
        "platform:EUR",
        AccountKind.PLATFORM,
        "EUR",
    )
    assert (bank.code, bank.kind, bank.currency) == ("bank:EUR", AccountKind.BANK, "EUR")
    assert ledger.platform_account("EUR").pk == platform.pk
    assert ledger.bank_account("EUR").pk == bank.pk
    assert ledger.platform_account("CHF").code == "platform:CHF"
    assert ledger.bank_account("CHF").currency == "CHF"
    assert Account.objects.count() == 4


def test_a_new_accounts_balance_is_zero_with_two_places(partner):
    assert ledger.balance(ledger.platform_account()) == Decimal("0.00")
    assert ledger.balance(ledger.platform_account()).as_tuple().exponent == -2
    assert ledger.wallet_balance(partner) == Decimal("0.00")


def test_balances_are_the_sum_of_entries(partner):
    ledger.credit_wallet(partner, "100", reference="t1", created_by="test")
    ledger.credit_wallet(partner, "0.05", reference="t2", created_by="test")
    ledger.debit_wallet_if_covered(partner, "28.57", reference="voucher:x")
    assert ledger.wallet_balance(partner) == Decimal("71.48")
    assert ledger.wallet_balance(partner).as_tuple().exponent == -2
    assert ledger.balance(ledger.platform_account()) == Decimal("28.57")
    assert ledger.balance(ledger.bank_account()) == Decimal("-100.05")
    assert ledger.balance(ledger.wallet_account(partner)) == ledger.wallet_balance(partner)


def set_threshold(partner, threshold):
    account = ledger.wallet_account(partner)
    account.low_balance_threshold = threshold
    account.save(update_fields=["low_balance_threshold"])


def test_wallet_status_without_threshold_is_never_low(partner):
    status = ledger.wallet_status(partner)
    assert (status.balance, status.currency, status.low_balance_threshold) == (
        Decimal("0.00"),
        "EUR",
        None,
    )
    assert status.low is False


@pytest.mark.parametrize(
    "balance, threshold, low",
    [
        ("0", "50", True),
        ("49.99", "50", True),
        ("50", "50", False),  # "falls below": equal is not low
        ("50.01", "50", False),
        ("500", "50", False),
        ("10", "0.01", False),
    ],
)
def test_wallet_status_is_low_strictly_below_the_threshold(partner, balance, threshold, low):
    if Decimal(balance) > 0:
        ledger.credit_wallet(partner, balance, reference="top-up", created_by="test")
    set_threshold(partner, Decimal(threshold))
    status = ledger.wallet_status(partner)
    assert status.balance == Decimal(balance)
    assert status.low_balance_threshold == Decimal(threshold)
    assert status.low is low


def test_wallet_status_follows_the_balance_as_it_moves(partner):
    set_threshold(partner, Decimal("30"))
    ledger.credit_wallet(partner, "40", reference="top-up", created_by="test")
    assert ledger.wallet_status(partner).low is False
    ledger.debit_wallet_if_covered(partner, "10.01", reference="voucher:a")
    assert ledger.wallet_status(partner).low is True
    assert ledger.wallet_status(partner).balance == Decimal("29.99")


def test_the_books_of_an_empty_ledger_balance():
    assert ledger.total_of_all_entries() == 0


def test_the_books_balance_after_every_kind_of_movement(partner, make_partner):
    beta = make_partner("beta", domains=["beta.example"])
    ledger.credit_wallet(partner, "100", reference="t", created_by="test")
    ledger.credit_wallet(beta, "33.33", reference="t", created_by="test")
    paid = ledger.debit_wallet_if_covered(partner, "28.57", reference="voucher:1")
    ledger.debit_wallet_if_covered(beta, "33.34", reference="voucher:2")  # refused
    ledger.debit_wallet_if_covered(beta, "33.33", reference="voucher:3")
    ledger.settle_by_transfer(partner, "45", reference="statement:1", created_by="ops")
    ledger.refund_to_wallet(partner, "28.57", reference="voucher:1", created_by="op", reverses=paid)
    assert ledger.total_of_all_entries() == 0
    assert all(is_balanced(t) for t in Transaction.objects.all())
    assert Transaction.objects.count() == 6


def test_total_of_all_entries_shows_an_entry_written_behind_the_ledgers_back(partner):
    ledger.credit_wallet(partner, "10", reference="t", created_by="test")
    txn = Transaction.objects.get()
    Entry.objects.create(
        transaction=txn, account=ledger.wallet_account(partner), amount=1, created_at=txn.created_at
    )
    assert ledger.total_of_all_entries() == Decimal("1")


def test_the_books_balance_exactly_whatever_the_amounts(partner):
    legs = [
        (ledger.bank_account(), Decimal("-0.30")),
        (ledger.wallet_account(partner), Decimal("0.10")),
        (ledger.platform_account(), Decimal("0.20")),
    ]
    for _ in range(3):
        ledger.post(TransactionKind.TOP_UP, "split", legs)
    assert all(is_balanced(t) for t in Transaction.objects.all())
    assert ledger.total_of_all_entries() == 0
