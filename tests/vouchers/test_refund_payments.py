"""What a refund does to the money (SPEC §7): a wallet payment reversed, a due voucher moving
nothing, a voucher paid by statement credited back, an unpaid statement not billing it."""

from decimal import Decimal

import pytest

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction, TransactionKind
from jackpot.vouchers import payments
from jackpot.vouchers.models import PaymentState, State
from support.ledger import books_balance, platform_balance
from support.payments import BOOKLY, EVER, PRICE_30, forever, refunded, top_up, voucher


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
