"""The store report (SPEC §7): issued vouchers, value, bonus and what is owed, in two places,
whichever way the vouchers were paid."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import State, Voucher
from support.payments import BOOKLY, EVER, SPORTMAX, forever, top_up


def test_the_store_report_counts_issued_vouchers_value_bonus_and_what_is_owed(manual, money):
    march, april = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    inside = march + timedelta(days=10)
    top_up(manual, "1000")

    def issued(path, value, state=None, when=inside):
        body = money.confirmed(manual, path, value)
        update = {"confirm_date": when}
        if state:
            update["state"] = state
        Voucher.objects.filter(pk=body["id"]).update(**update)
        return body

    issued(BOOKLY, 20)  # CONFIRMED
    issued(BOOKLY, 50, State.SENT)
    issued(BOOKLY, 20, State.REFUNDED)  # taken back: not reported
    issued(SPORTMAX, 30, State.READY, when=march)  # the period's first instant
    issued(SPORTMAX, 30, State.REFUNDING)
    issued(SPORTMAX, 30, State.REFUND_REJECTED)
    issued(SPORTMAX, 30, when=april - timedelta(microseconds=1))
    issued(SPORTMAX, 30, when=april)  # the next period
    issued(SPORTMAX, 30, when=march - timedelta(seconds=1))  # the previous one
    money.reserve()  # RESERVED, never confirmed
    lifecycle.transition(money.reserve()["id"], "cancel", "partner:acme")

    report = payments.store_report(march, april)

    assert report == [
        {
            "storeId": "bookly",
            "storeName": "Bookly",
            "currency": "EUR",
            "vouchers": 2,
            "valueIssued": Decimal("70.00"),
            "bonusFunded": Decimal("7.00"),
            "owed": Decimal("63.00"),
        },
        {
            "storeId": "sportmax",
            "storeName": "SportMax",
            "currency": "EUR",
            "vouchers": 4,
            "valueIssued": Decimal("120.00"),
            "bonusFunded": Decimal("5.72"),
            "owed": Decimal("114.28"),
        },
    ]
    assert payments.store_report(april + timedelta(days=40), april + timedelta(days=70)) == []


def test_the_store_reports_amounts_have_two_places(manual, money):
    for _ in range(4):
        money.confirmed(manual)
    (row,) = payments.store_report(EVER, forever())
    assert (row["valueIssued"], row["bonusFunded"], row["owed"]) == (
        Decimal("120.00"),
        Decimal("5.72"),
        Decimal("114.28"),
    )
    for key in ("valueIssued", "bonusFunded", "owed"):
        assert row[key].as_tuple().exponent == -2, (key, row[key])


def test_the_store_report_does_not_depend_on_how_vouchers_were_paid(manual, money):
    top_up(manual, "18")
    money.confirmed(manual, BOOKLY, 20)  # PAID from the wallet
    money.confirmed(manual, BOOKLY, 20)  # DUE
    report = payments.store_report(EVER, forever())
    assert [(r["storeId"], r["vouchers"], r["owed"]) for r in report] == [
        ("bookly", 2, Decimal("36.00"))
    ]
