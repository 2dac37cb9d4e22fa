"""The dashboard's daily roll-up, recomputed from the vouchers: what `vouchers.rollup` must hold.

The oracle reads every voucher in Python and says, for each (partner, day, store, currency),
how many vouchers confirmed that day still count and what they are worth; the roll-up's rows
must say the same, rows fallen to zero (all their vouchers refunded) excepted.
"""

from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

ZERO = Decimal("0.00")


def expected() -> dict[tuple, tuple[int, Decimal, Decimal]]:
    """From the vouchers: the counted ones (codes issued, not refunded) by confirmation day."""
    from django.conf import settings

    from jackpot.vouchers.models import State, Voucher

    counted = {State.CONFIRMED, State.READY, State.SENT, State.REFUNDING, State.REFUND_REJECTED}
    zone = ZoneInfo(settings.TIME_ZONE)
    totals: dict[tuple, list] = defaultdict(lambda: [0, ZERO, ZERO])
    for v in Voucher.objects.filter(state__in=counted):
        day = v.confirm_date.astimezone(zone).date() if v.confirm_date else None  # (damaged)
        key = (v.partner_id, day, v.store_id, v.currency)
        totals[key][0] += 1
        totals[key][1] += v.value
        totals[key][2] += v.price
    return {key: tuple(sums) for key, sums in totals.items()}


def held() -> dict[tuple, tuple[int, Decimal, Decimal]]:
    """The roll-up's rows that count something."""
    from jackpot.vouchers.models import DailyTotal

    return {
        (r.partner_id, r.day, r.store_id, r.currency): (r.vouchers, r.value, r.price)
        for r in DailyTotal.objects.all()
        if (r.vouchers, r.value, r.price) != (0, ZERO, ZERO)
    }


def rollup_problems() -> list[str]:
    """Every (partner, day, store, currency) where the roll-up and the vouchers disagree."""
    want, have = expected(), held()
    return [
        f"daily total {key}: roll-up {have.get(key)}, vouchers {want.get(key)}"
        for key in sorted(set(want) | set(have), key=str)
        if want.get(key) != have.get(key)
    ]
