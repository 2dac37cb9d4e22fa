"""The ledger's movements (SPEC §7): top-ups, a voucher paid from the wallet, statement payments
and refunds to the wallet, each with its valid amounts and its idempotency.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction, TransactionKind
from support.ledger import INVALID_AMOUNTS, VALID_AMOUNTS, is_balanced, legs_of, nothing_written

pytestmark = pytest.mark.django_db


def test_a_top_up_moves_money_from_the_bank_to_the_wallet(partner):
    txn = ledger.credit_wallet(partner, "150.25", reference="VIR-123", created_by="cli")
    assert (txn.kind, txn.reference, txn.created_by) == (TransactionKind.TOP_UP, "VIR-123", "cli")
    assert legs_of(txn) == {"bank:EUR": Decimal("-150.25"), "wallet:acme": Decimal("150.25")}
    assert ledger.wallet_balance(partner) == Decimal("150.25")
    assert ledger.total_of_all_entries() == 0


@pytest.mark.parametrize("amount, expected", VALID_AMOUNTS)
def test_a_top_up_accepts_positive_amounts_with_at_most_two_decimals(partner, amount, expected):
    ledger.credit_wallet(partner, amount, reference="r", created_by="test")
    assert ledger.wallet_balance(partner) == expected


@pytest.mark.parametrize("amount", INVALID_AMOUNTS)
def test_a_top_up_of_an_invalid_amount_is_an_invalid_amount_problem(partner, amount):
    with pytest.raises(Problem) as refused:
        ledger.credit_wallet(partner, amount, reference="r", created_by="test")
    assert refused.value.code == "invalid-amount"
    assert refused.value.status == 422
    assert refused.value.errors[0]["field"] == "amount"
    assert nothing_written()


def test_a_top_up_sent_twice_with_its_key_is_recorded_once(partner):
    first = ledger.credit_wallet(
        partner, "50", reference="VIR-9", created_by="cli", idempotency_key="top-up-9"
    )
    again = ledger.credit_wallet(
        partner, Decimal("50.00"), reference="VIR-9", created_by="cli", idempotency_key="top-up-9"
    )
    assert again.pk == first.pk
    assert ledger.wallet_balance(partner) == Decimal("50.00")
    assert Transaction.objects.count() == 1
    # Without a key, the same call is another top-up.
    ledger.credit_wallet(partner, "50", reference="VIR-9", created_by="cli")
    assert ledger.wallet_balance(partner) == Decimal("100.00")


@pytest.mark.parametrize(
    "amount, reference, other_partner",
    [("60", "VIR-9", False), ("50", "VIR-10", False), ("50", "VIR-9", True)],
)
def test_a_top_up_key_reused_for_another_top_up_is_refused(
    partner, make_partner, amount, reference, other_partner
):
    beta = make_partner("beta", domains=["beta.example"])
    ledger.credit_wallet(partner, "50", reference="VIR-9", created_by="cli", idempotency_key="k9")
    with pytest.raises(Problem) as refused:
        ledger.credit_wallet(
            beta if other_partner else partner,
            amount,
            reference=reference,
            created_by="cli",
            idempotency_key="k9",
        )
    assert refused.value.code == "idempotency-key-reused"
    assert ledger.wallet_balance(partner) == Decimal("50.00")
    assert ledger.wallet_balance(beta) == Decimal("0.00")
    assert Transaction.objects.count() == 1


def test_a_key_is_global_across_kinds_of_movement(partner):
    ledger.credit_wallet(partner, "50", reference="VIR-9", created_by="cli", idempotency_key="k")
    with pytest.raises(Problem) as refused:
        ledger.settle_by_transfer(
            partner, "50", reference="VIR-9", created_by="cli", idempotency_key="k"
        )
    assert refused.value.code == "idempotency-key-reused"
    assert Transaction.objects.count() == 1


def test_a_covered_debit_moves_the_price_from_the_wallet_to_the_platform(partner):
    ledger.credit_wallet(partner, "100", reference="top-up", created_by="test")
    txn = ledger.debit_wallet_if_covered(partner, Decimal("28.57"), reference="voucher:abc")
    assert txn is not None
    assert (txn.kind, txn.reference) == (TransactionKind.VOUCHER_PAYMENT, "voucher:abc")
    assert legs_of(txn) == {"wallet:acme": Decimal("-28.57"), "platform:EUR": Decimal("28.57")}
    assert is_balanced(txn)
    assert ledger.wallet_balance(partner) == Decimal("71.43")
    assert ledger.balance(ledger.platform_account()) == Decimal("28.57")


def test_a_debit_of_exactly_the_balance_empties_the_wallet(partner):
    ledger.credit_wallet(partner, "28.57", reference="top-up", created_by="test")
    assert ledger.debit_wallet_if_covered(partner, "28.57", reference="voucher:a") is not None
    assert ledger.wallet_balance(partner) == Decimal("0.00")
    assert ledger.debit_wallet_if_covered(partner, "0.01", reference="voucher:b") is None
    assert ledger.wallet_balance(partner) == Decimal("0.00")


@pytest.mark.parametrize("funds", [None, "28.56", "0.01"])
def test_a_debit_the_wallet_does_not_cover_is_refused_and_writes_nothing(partner, funds):
    if funds:
        ledger.credit_wallet(partner, funds, reference="top-up", created_by="test")
    before = (Transaction.objects.count(), Entry.objects.count())
    assert ledger.debit_wallet_if_covered(partner, "28.57", reference="voucher:abc") is None
    assert (Transaction.objects.count(), Entry.objects.count()) == before
    assert not Transaction.objects.filter(reference="voucher:abc").exists()
    assert ledger.wallet_balance(partner) == Decimal(funds or "0")


def test_a_debit_only_sees_its_own_partners_wallet(partner, make_partner):
    beta = make_partner("beta", domains=["beta.example"])
    ledger.credit_wallet(beta, "500", reference="top-up", created_by="test")
    assert ledger.debit_wallet_if_covered(partner, "10", reference="voucher:a") is None
    assert ledger.wallet_balance(beta) == Decimal("500.00")


@pytest.mark.parametrize("amount", INVALID_AMOUNTS)
def test_a_debit_of_an_invalid_amount_is_a_problem(partner, amount):
    ledger.credit_wallet(partner, "100", reference="top-up", created_by="test")
    with pytest.raises(Problem) as refused:
        ledger.debit_wallet_if_covered(partner, amount, reference="voucher:a")
    assert refused.value.code == "invalid-amount" and refused.value.status == 422
    assert ledger.wallet_balance(partner) == Decimal("100.00")
    assert Transaction.objects.count() == 1


def test_a_statement_payment_moves_money_from_the_bank_to_the_platform(partner):
    txn = ledger.settle_by_transfer(partner, "73.14", reference="statement:1", created_by="ops")
    assert (txn.kind, txn.reference, txn.created_by) == (
        TransactionKind.STATEMENT_PAYMENT,
        "statement:1",
        "ops",
    )
    assert legs_of(txn) == {"bank:EUR": Decimal("-73.14"), "platform:EUR": Decimal("73.14")}
    assert ledger.wallet_balance(partner) == Decimal("0.00")  # the wallet is not involved


def test_a_statement_payment_with_its_key_is_recorded_once(partner):
    first = ledger.settle_by_transfer(
        partner, "10", reference="statement:1", created_by="ops", idempotency_key="pay-1"
    )
    again = ledger.settle_by_transfer(
        partner, "10", reference="statement:1", created_by="ops", idempotency_key="pay-1"
    )
    assert again.pk == first.pk and Transaction.objects.count() == 1
    with pytest.raises(Problem) as refused:
        ledger.settle_by_transfer(
            partner, "10", reference="statement:2", created_by="ops", idempotency_key="pay-1"
        )
    assert refused.value.code == "idempotency-key-reused"


@pytest.mark.parametrize("amount", INVALID_AMOUNTS)
def test_a_statement_payment_of_an_invalid_amount_is_a_problem(partner, amount):
    with pytest.raises(Problem) as refused:
        ledger.settle_by_transfer(partner, amount, reference="statement:1", created_by="ops")
    assert refused.value.code == "invalid-amount" and refused.value.status == 422
    assert nothing_written()


def test_a_refund_reverses_a_wallet_payment(partner):
    ledger.credit_wallet(partner, "50", reference="top-up", created_by="test")
    payment = ledger.debit_wallet_if_covered(partner, "28.57", reference="voucher:v")
    refund = ledger.refund_to_wallet(
        partner, "28.57", reference="voucher:v", created_by="operator", reverses=payment
    )
    assert (refund.kind, refund.reference, refund.created_by) == (
        TransactionKind.REFUND,
        "voucher:v",
        "operator",
    )
    assert legs_of(refund) == {"platform:EUR": Decimal("-28.57"), "wallet:acme": Decimal("28.57")}
    assert refund.reverses_id == payment.pk
    payment.refresh_from_db()
    assert payment.reversed_by == refund
    assert ledger.wallet_balance(partner) == Decimal("50.00")
    assert ledger.balance(ledger.platform_account()) == Decimal("0.00")
    # The payment and its refund net to zero on every account they touched.
    net: dict[str, Decimal] = {}
    for txn in (payment, refund):
        for code, amount in legs_of(txn).items():
            net[code] = net.get(code, Decimal(0)) + amount
    assert set(net.values()) == {Decimal(0)}


def test_a_refund_without_a_payment_to_reverse_credits_the_wallet(partner):
    refund = ledger.refund_to_wallet(partner, "18", reference="voucher:w", created_by="operator")
    assert refund.reverses is None
    assert ledger.wallet_balance(partner) == Decimal("18.00")
    assert ledger.balance(ledger.platform_account()) == Decimal("-18.00")


def test_a_payment_is_reversed_at_most_once(partner):
    ledger.credit_wallet(partner, "50", reference="top-up", created_by="test")
    payment = ledger.debit_wallet_if_covered(partner, "10", reference="voucher:v")
    ledger.refund_to_wallet(partner, "10", reference="voucher:v", created_by="op", reverses=payment)
    with pytest.raises(IntegrityError):
        ledger.refund_to_wallet(
            partner, "10", reference="voucher:v", created_by="op", reverses=payment
        )
    assert ledger.wallet_balance(partner) == Decimal("50.00")


@pytest.mark.parametrize("amount", INVALID_AMOUNTS)
def test_a_refund_of_an_invalid_amount_is_a_problem(partner, amount):
    with pytest.raises(Problem) as refused:
        ledger.refund_to_wallet(partner, amount, reference="voucher:v", created_by="op")
    assert refused.value.code == "invalid-amount" and refused.value.status == 422
    assert nothing_written()
