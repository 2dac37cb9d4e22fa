"""The ledger's services (SPEC §7): every movement one balanced transaction, balances derived.

Unit specs of each function of `jackpot.ledger.services`, against the database.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Account, AccountKind, Entry, Transaction, TransactionKind

pytestmark = pytest.mark.django_db

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


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Balances
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# wallet_status
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# post
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# credit_wallet (top-ups)
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# debit_wallet_if_covered (voucher payment at confirmation)
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# settle_by_transfer (statement payments)
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# refund_to_wallet
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# total_of_all_entries
# ---------------------------------------------------------------------------------------------


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
    Entry.objects.create(transaction=txn, account=ledger.wallet_account(partner), amount=1)
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
