"""`ledger.post` (SPEC §7): every movement one balanced transaction, written whole or not at all,
once per idempotency key.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction, TransactionKind
from support.ledger import is_balanced, legs_of, nothing_written

pytestmark = pytest.mark.django_db


def test_post_writes_one_balanced_transaction_with_its_entries(partner):
    wallet, platform = ledger.wallet_account(partner), ledger.platform_account()
    original = ledger.post(
        TransactionKind.VOUCHER_PAYMENT, "voucher:1", [(wallet, Decimal("-5")), (platform, 5)]
    )
    txn = ledger.post(
        TransactionKind.REFUND,
        "voucher:1",
        [(platform, Decimal("-5.00")), (wallet, Decimal("5.00"))],
        created_by="operator",
        description="x" * 400,
        reverses=original,
    )
    txn.refresh_from_db()
    assert (txn.kind, txn.reference, txn.created_by) == ("refund", "voucher:1", "operator")
    assert txn.description == "x" * 300  # truncated to the column
    assert txn.idempotency_key is None
    assert txn.reverses_id == original.pk and original.reversed_by == txn
    assert legs_of(txn) == {"platform:EUR": Decimal("-5.00"), f"wallet:{partner.pk}": Decimal("5")}
    assert is_balanced(txn) and is_balanced(original)
    assert Transaction.objects.count() == 2 and Entry.objects.count() == 4


def test_post_accepts_more_than_two_legs_when_they_balance(partner):
    wallet, platform, bank = (
        ledger.wallet_account(partner),
        ledger.platform_account(),
        ledger.bank_account(),
    )
    txn = ledger.post(
        TransactionKind.TOP_UP,
        "split",
        [(bank, Decimal("-10.00")), (wallet, Decimal("7.50")), (platform, Decimal("2.50"))],
    )
    assert txn.entries.count() == 3 and is_balanced(txn)
    assert ledger.total_of_all_entries() == 0


@pytest.mark.parametrize(
    "amounts",
    [
        [],
        [Decimal("10")],
        [Decimal("-10"), Decimal("9.99")],
        [Decimal("10"), Decimal("10")],
        [Decimal("-0.01"), Decimal("0.02"), Decimal("-0.02")],
    ],
)
def test_post_refuses_an_unbalanced_or_empty_transaction_and_writes_nothing(partner, amounts):
    accounts = [ledger.wallet_account(partner), ledger.platform_account(), ledger.bank_account()]
    legs = list(zip(accounts, amounts, strict=False))
    with pytest.raises(ValueError, match="sum to zero"):
        ledger.post(TransactionKind.TOP_UP, "unbalanced", legs)
    assert nothing_written()


def test_post_refuses_an_unbalanced_transaction_even_with_an_idempotency_key(partner):
    legs = [(ledger.wallet_account(partner), Decimal("10")), (ledger.bank_account(), -9)]
    with pytest.raises(ValueError):
        ledger.post(TransactionKind.TOP_UP, "unbalanced", legs, idempotency_key="k-1")
    assert nothing_written()


def test_a_zero_leg_is_refused_by_the_database_and_nothing_is_written(partner):
    legs = [(ledger.wallet_account(partner), Decimal("0")), (ledger.bank_account(), Decimal("0"))]
    with pytest.raises(IntegrityError):
        ledger.post(TransactionKind.TOP_UP, "zero", legs)
    assert nothing_written()


def test_post_with_the_same_key_and_movement_returns_the_first_transaction(partner):
    legs = [(ledger.bank_account(), Decimal("-20")), (ledger.wallet_account(partner), 20)]
    first = ledger.post(TransactionKind.TOP_UP, "VIR-1", legs, idempotency_key="key-1")
    again = ledger.post(
        TransactionKind.TOP_UP,
        "VIR-1",
        list(reversed([(a, Decimal(x).quantize(Decimal("0.01"))) for a, x in legs])),
        idempotency_key="key-1",
        description="another description does not make another movement",
    )
    assert again.pk == first.pk
    assert Transaction.objects.count() == 1 and Entry.objects.count() == 2
    assert ledger.wallet_balance(partner) == Decimal("20.00")


@pytest.mark.parametrize(
    "change",
    ["kind", "reference", "amount", "account"],
)
def test_post_with_the_same_key_for_another_movement_is_a_problem(partner, make_partner, change):
    beta = make_partner("beta", domains=["beta.example"])
    kind, reference, amount, wallet = (
        TransactionKind.TOP_UP,
        "VIR-1",
        Decimal("20"),
        ledger.wallet_account(partner),
    )
    ledger.post(
        kind, reference, [(ledger.bank_account(), -amount), (wallet, amount)], idempotency_key="k"
    )
    if change == "kind":
        kind = TransactionKind.STATEMENT_PAYMENT
    elif change == "reference":
        reference = "VIR-2"
    elif change == "amount":
        amount = Decimal("20.01")
    else:
        wallet = ledger.wallet_account(beta)
    with pytest.raises(Problem) as refused:
        ledger.post(
            kind,
            reference,
            [(ledger.bank_account(), -amount), (wallet, amount)],
            idempotency_key="k",
        )
    assert refused.value.code == "idempotency-key-reused"
    assert refused.value.status == 422
    assert Transaction.objects.count() == 1 and Entry.objects.count() == 2
    assert ledger.total_of_all_entries() == 0


def test_an_empty_idempotency_key_is_no_key(partner):
    legs = [(ledger.bank_account(), Decimal("-1")), (ledger.wallet_account(partner), Decimal("1"))]
    first = ledger.post(TransactionKind.TOP_UP, "r", legs, idempotency_key="")
    second = ledger.post(TransactionKind.TOP_UP, "r", legs, idempotency_key="")
    assert first.pk != second.pk
    assert first.idempotency_key is None and second.idempotency_key is None
