"""A refunded voucher's paymentState (SPEC §7, README "Money"): none (null) whatever it was
paid with, since nothing is owed for it and nothing stays paid for it; a voucher waiting for
the refund decision keeps its own, being still billed."""

import importlib

from django.apps import apps

from jackpot.vouchers import payments
from jackpot.vouchers.models import PaymentState, State, Voucher
from jackpot.webhooks.models import OutboxEvent
from support.payments import BOOKLY, EVER, forever, refunded, top_up, voucher


def api_voucher(manual, money, voucher_id) -> dict:
    status, body = money.get(manual, f"/v2/voucher/{voucher_id}")
    assert status == 200, body
    return body


def listed(manual, money, payment_state: str) -> set[str]:
    _, page = money.get(manual, f"/v2/vouchers?paymentState={payment_state}")
    return {v["id"] for v in page["items"]}


def test_a_refunded_voucher_that_was_due_is_neither_due_nor_billed(manual, money):
    due = money.confirmed(manual)
    assert refunded(manual, money, due["id"]).state == State.REFUNDED

    shown = api_voucher(manual, money, due["id"])

    assert shown["state"] == "REFUNDED" and shown["paymentState"] is None
    assert due["id"] not in listed(manual, money, "DUE")
    refunded_event = OutboxEvent.objects.get(event="coupon/refunded")
    assert refunded_event.payload["message"]["data"]["paymentState"] is None


def test_a_refunded_voucher_that_was_paid_from_the_wallet_is_no_longer_paid(manual, money):
    top_up(manual, "100")
    paid = money.confirmed(manual)
    assert paid["paymentState"] == "PAID"

    refunded(manual, money, paid["id"])

    shown = api_voucher(manual, money, paid["id"])
    assert shown["paymentState"] is None
    assert shown["walletOperationId"] == paid["walletOperationId"]  # the payment reversed
    assert paid["id"] not in listed(manual, money, "PAID")


def test_a_refunded_voucher_leaves_its_unpaid_statement_with_no_payment_state(manual, money):
    billed, kept = money.confirmed(manual, BOOKLY, 20), money.confirmed(manual, BOOKLY, 50)
    payments.issue_statement(manual, EVER, forever(), "operator")

    refunded(manual, money, billed["id"])

    assert api_voucher(manual, money, billed["id"])["paymentState"] is None
    assert listed(manual, money, "WAITING") == {kept["id"]}


def test_a_refunded_voucher_paid_by_statement_is_no_longer_paid(manual, money):
    billed = money.confirmed(manual, BOOKLY, 20)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    payments.record_statement_payment(statement, payment_reference="VIR", actor="operator")

    refunded(manual, money, billed["id"])

    assert api_voucher(manual, money, billed["id"])["paymentState"] is None


def test_a_voucher_waiting_for_its_refund_decision_is_still_billed(manual, money):
    from jackpot.vouchers import lifecycle

    due = money.confirmed(manual)
    lifecycle.transition(due["id"], "deliver", "store")
    money.refund(manual, due["id"])

    assert api_voucher(manual, money, due["id"])["paymentState"] == "DUE"
    assert voucher(due["id"]).state == State.REFUNDING


def test_the_migration_clears_the_payment_state_of_vouchers_refunded_before(manual, money):
    refunded_before, kept = money.confirmed(manual), money.confirmed(manual)
    Voucher.objects.filter(pk=refunded_before["id"]).update(state=State.REFUNDED)
    migration = importlib.import_module("jackpot.vouchers.migrations.0007_refunded_payment_state")

    migration.clear_refunded(apps, None)

    assert voucher(refunded_before["id"]).payment_state == ""
    assert voucher(kept["id"]).payment_state == PaymentState.DUE
