"""Running balances (issue 18): kept with each posting, always the sum of the entries, read
without the history.

A hypothesis sequence of top-ups (some retried with their Idempotency-Key), wallet payments,
refunds and statement payments for two partners: after every step each account's kept balance is
the sum of its entries, each wallet entry's `balance_after` chains from the one before, and no
wallet is negative.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jackpot.ledger import balances
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Account, Balance, Entry, TransactionKind

pytestmark = pytest.mark.django_db

PARTNERS = ["acme", "beta"]
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2)
STEPS = st.one_of(
    st.tuples(st.just("top_up"), st.sampled_from(PARTNERS), AMOUNTS, st.booleans()),
    st.tuples(st.just("pay"), st.sampled_from(PARTNERS), AMOUNTS),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("statement"), st.sampled_from(PARTNERS), AMOUNTS),
)


def summed(account: Account) -> Decimal:
    """The balance the slow way: every entry of the account, added in Python."""
    return sum((e.amount for e in Entry.objects.filter(account=account)), Decimal("0.00"))


def assert_kept_balances_are_the_entries():
    for account in Account.objects.all():
        assert ledger.balance(account) == summed(account), account.code
    for account in Account.objects.filter(partner__isnull=False):
        running = Decimal("0.00")
        for entry in Entry.objects.filter(account=account).order_by("id"):
            running += entry.amount
            assert entry.balance_after == running >= 0, (account.code, entry.pk)
    for entry in Entry.objects.filter(account__partner__isnull=True):
        assert entry.balance_after is None
    assert balances.mismatches() == []


def apply(step, partners, payments: list) -> None:
    kind, *args = step
    if kind == "top_up":
        partner_id, amount, keyed = args
        key = f"top-up-{partner_id}-{amount}" if keyed else None
        for _ in range(2 if keyed else 1):  # a keyed top-up sent twice moves money once
            ledger.credit_wallet(
                partners[partner_id], amount, reference="VIR", created_by="t", idempotency_key=key
            )
    elif kind == "pay":
        partner_id, amount = args
        before = ledger.wallet_balance(partners[partner_id])
        paid = ledger.debit_wallet_if_covered(partners[partner_id], amount, reference="voucher:x")
        assert (paid is not None) == (before >= amount)
        if paid is not None:
            payments.append((partner_id, amount, paid))
    elif kind == "refund" and payments:
        partner_id, amount, paid = payments.pop(args[0] % len(payments))
        ledger.refund_to_wallet(
            partners[partner_id], amount, reference="voucher:x", created_by="op", reverses=paid
        )
    elif kind == "statement":
        partner_id, amount = args
        ledger.settle_by_transfer(partners[partner_id], amount, reference="s", created_by="op")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, max_size=20))
def test_kept_balances_are_the_sum_of_the_entries_after_any_postings(make_partner, steps):
    with transaction.atomic():  # each example rolled back: the next starts from no money
        partners = {p: make_partner(p, domains=[f"{p}.example"]) for p in PARTNERS}
        payments: list = []
        for step in steps:
            apply(step, partners, payments)
            assert_kept_balances_are_the_entries()
        transaction.set_rollback(True)


def test_a_wallet_keeps_one_row_and_the_shared_accounts_one_per_partner(make_partner):
    acme, beta = make_partner("acme"), make_partner("beta", domains=["beta.example"])
    for partner, amount in ((acme, "50"), (beta, "30")):
        ledger.credit_wallet(partner, amount, reference="VIR", created_by="t")
        ledger.debit_wallet_if_covered(partner, "10", reference="voucher:1")
    ledger.settle_by_transfer(acme, "5", reference="statement:1", created_by="op")

    rows = {(b.account.code, b.lane): b.amount for b in Balance.objects.select_related("account")}
    assert rows == {
        ("wallet:acme", "acme"): Decimal("40.00"),
        ("wallet:beta", "beta"): Decimal("20.00"),
        ("platform:EUR", "acme"): Decimal("15.00"),
        ("platform:EUR", "beta"): Decimal("10.00"),
        ("bank:EUR", "acme"): Decimal("-55.00"),
        ("bank:EUR", "beta"): Decimal("-30.00"),
    }
    assert ledger.balance(ledger.platform_account()) == Decimal("25.00")
    assert ledger.balance(ledger.bank_account()) == Decimal("-85.00")
    assert_kept_balances_are_the_entries()


def test_a_posting_refused_by_the_database_moves_no_balance(partner):
    ledger.credit_wallet(partner, "10", reference="VIR", created_by="t")
    # The balances move before the entries are written; a zero entry is refused after that.
    legs = [
        (ledger.wallet_account(partner), Decimal("5")),
        (ledger.platform_account(), Decimal("0")),
        (ledger.bank_account(), Decimal("-5")),
    ]
    with pytest.raises(IntegrityError):
        ledger.post(TransactionKind.TOP_UP, "zero", legs, lane=partner.pk)
    assert ledger.wallet_balance(partner) == Decimal("10.00")
    assert ledger.balance(ledger.bank_account()) == Decimal("-10.00")
    assert_kept_balances_are_the_entries()


def _reads_entries(queries) -> list[str]:
    return [q["sql"] for q in queries if "ledger_entry" in q["sql"] and "INSERT" not in q["sql"]]


def test_reading_a_balance_or_paying_from_a_wallet_never_reads_its_entries(partner):
    for _ in range(5):
        ledger.credit_wallet(partner, "10", reference="VIR", created_by="t")
    with CaptureQueriesContext(connection) as queries:
        status = ledger.wallet_status(partner)
        with transaction.atomic():
            paid = ledger.debit_wallet_if_covered(partner, "49.99", reference="voucher:1")
            refused = ledger.debit_wallet_if_covered(partner, "0.02", reference="voucher:2")
    assert status.balance == Decimal("50.00")
    assert paid is not None and refused is None
    assert _reads_entries(queries.captured_queries) == []
    assert ledger.wallet_balance(partner) == Decimal("0.01")
