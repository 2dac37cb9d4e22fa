"""What the portal's Limits page shows a partner: its refusals by day and kind, and the users
nearest their limits today and this month.

Both read a few rows through an index whatever the partner's volume: refusals are one row per
day and kind (`limit_refusal_once`); the users nearest a limit are the largest counters of the
period (`user_usage_by_count`, `user_usage_by_amount`, read from their high end). The month's
ranking is by the used fraction of the nearer of its two limits, max(vouchers / limit, amount
/ limit): its top N are among the top N by vouchers and the top N by amount, so those two short
reads are merged instead of ranking every user.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jackpot.limits.enforcement import windows
from jackpot.limits.models import LimitRefusal, Period, RefusalKind, UserUsage
from jackpot.partners.limits import Limits

DAYS_SHOWN = 30
NEAREST = 10


@dataclass(frozen=True)
class RefusalDay:
    day: date
    counts: list[int]  # per kind, in RefusalKind's order
    total: int


# The refusal table's column headings: short, the card above names each limit in full.
SHORT_LABELS = {
    RefusalKind.USER_DAY: _("Vouchers, day"),
    RefusalKind.USER_MONTH: _("Vouchers, month"),
    RefusalKind.USER_AMOUNT_MONTH: _("Amount, month"),
    RefusalKind.ADDRESS_HOUR: _("Address, hour"),
}


@dataclass(frozen=True)
class Refusals:
    kinds: list[tuple[str, str]]  # (kind, full label)
    days: list[RefusalDay]  # the days with refusals, the newest first
    totals: list[int]  # per kind over the days shown

    @property
    def headings(self) -> list[str]:
        return [SHORT_LABELS[kind] for kind, _label in self.kinds]

    @property
    def total(self) -> int:
        return sum(self.totals)


def refusal_rows(partner_id: str, now: datetime, days: int = DAYS_SHOWN):
    """The partner's refusal counts of the last `days` days, the newest first."""
    today = windows(now)[0]
    return LimitRefusal.objects.filter(
        partner_id=partner_id, day__gt=today - timedelta(days=days), day__lte=today
    ).order_by("-day")


def refusals(partner_id: str, now: datetime, days: int = DAYS_SHOWN) -> Refusals:
    rows = refusal_rows(partner_id, now, days)
    kinds = list(RefusalKind.choices)
    position = {kind: i for i, (kind, _) in enumerate(kinds)}
    by_day: dict[date, list[int]] = {}
    for row in rows:
        counts = by_day.setdefault(row.day, [0] * len(kinds))
        if row.kind in position:
            counts[position[row.kind]] += row.refusals
    table = [RefusalDay(day, counts, sum(counts)) for day, counts in by_day.items()]
    totals = [sum(d.counts[i] for d in table) for i in range(len(kinds))]
    return Refusals(kinds, table, totals)


@dataclass(frozen=True)
class Usage:
    user_id: str
    vouchers: int
    amount: Decimal
    fraction: float  # of the nearer limit, 1.0 at the limit

    @property
    def percent(self) -> int:
        return min(100, round(self.fraction * 100))


def top(partner_id: str, period: str, start: date, column: str, count: int = NEAREST):
    """The `count` users of the period with the largest `column` (vouchers, amount_cents)."""
    return UserUsage.objects.filter(
        partner_id=partner_id, period=period, start=start, **{f"{column}__gt": 0}
    ).order_by(f"-{column}")[:count]


def _usage(row: UserUsage, max_vouchers, max_amount) -> Usage:
    amount = (Decimal(row.amount_cents) / 100).quantize(Decimal("0.01"))
    fractions = []
    if max_vouchers:
        fractions.append(row.vouchers / max_vouchers)
    if max_amount:
        fractions.append(float(amount / max_amount))
    return Usage(row.user_id, row.vouchers, amount, max(fractions, default=0.0))


def nearest_today(partner_id: str, limits: Limits, now: datetime, count: int = NEAREST):
    """The users with the most vouchers today, against the daily limit (none without it)."""
    if limits.per_user_day is None:
        return []
    day = windows(now)[0]
    rows = top(partner_id, Period.DAY, day, "vouchers", count)
    return [_usage(row, limits.per_user_day, None) for row in rows]


def nearest_this_month(partner_id: str, limits: Limits, now: datetime, count: int = NEAREST):
    """The users nearest a monthly limit (vouchers or amount), the nearest first."""
    month = windows(now)[1]
    found: dict[str, UserUsage] = {}
    if limits.per_user_month is not None:
        found.update(
            (r.user_id, r) for r in top(partner_id, Period.MONTH, month, "vouchers", count)
        )
    if limits.amount_per_user_month is not None:
        found.update(
            (r.user_id, r) for r in top(partner_id, Period.MONTH, month, "amount_cents", count)
        )
    usages = [
        _usage(row, limits.per_user_month, limits.amount_per_user_month) for row in found.values()
    ]
    usages.sort(key=lambda u: (-u.fraction, u.user_id))
    return usages[:count]


def held_about(partner_id: str, user_id: str) -> list[dict]:
    """The counters kept about one userId of a partner, for a right-of-access request: they
    carry the userId, so the user is owed them with the rest. Read by `user_usage_once`."""
    rows = UserUsage.objects.filter(partner_id=partner_id, user_id=user_id).order_by(
        "period", "-start"
    )
    return [
        {
            "period": row.period,
            "start": row.start.isoformat(),
            "vouchers": row.vouchers,
            "amount": f"{Decimal(row.amount_cents) / 100:.2f}",
        }
        for row in rows
    ]
