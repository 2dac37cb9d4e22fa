"""What the dashboard shows: a partner's vouchers, amounts converted and bonus, by day and store.

Counted vouchers are those confirmed in the period whose codes were issued and not taken back
(the states `payments.store_report` counts): a cancelled, expired or refunded voucher converted
nothing in the end. The figures come from the daily roll-up (`vouchers.rollup`), a few rows per
day, never from the vouchers themselves: the dashboard costs the same with three million
vouchers as with ten. Days are the platform's (`TIME_ZONE`), as the roll-up counts them.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from jackpot.partners.models import Partner
from jackpot.vouchers import rollup
from jackpot.vouchers.models import DailyTotal, State, Voucher

ZERO = Decimal("0.00")
PERIODS = (7, 30, 90)


@dataclass(frozen=True)
class Totals:
    vouchers: int = 0
    converted: Decimal = ZERO  # what users converted: the sum of prices
    value: Decimal = ZERO  # what the vouchers are worth
    bonus: Decimal = ZERO  # what stores added: value − price

    @property
    def average_value(self) -> Decimal:
        return (self.value / self.vouchers).quantize(Decimal("0.01")) if self.vouchers else ZERO


@dataclass(frozen=True)
class DayRow(Totals):
    day: date | None = None


@dataclass(frozen=True)
class StoreRow(Totals):
    store_id: str = ""
    store_name: str = ""


def period(days: int, today: date | None = None) -> tuple[date, date, list[date]]:
    """The last `days` days, today included: the first and the last, and every day between."""
    today = today or rollup.day_of(timezone.now())
    first = today - timedelta(days=days - 1)
    return first, today, [first + timedelta(days=n) for n in range(days)]


def _counted(partner: Partner, first: date, last: date):
    return DailyTotal.objects.filter(partner=partner, day__gte=first, day__lte=last)


SUMS = {"n": Sum("vouchers"), "worth": Sum("value"), "paid": Sum("price")}


def _totals(row: dict) -> dict:
    value, price = row.get("worth") or ZERO, row.get("paid") or ZERO
    return {
        "vouchers": row.get("n") or 0,
        "converted": price,
        "value": value,
        "bonus": value - price,
    }


def totals(partner: Partner, first: date, last: date) -> Totals:
    return Totals(**_totals(_counted(partner, first, last).aggregate(**SUMS)))


def by_day(partner: Partner, first: date, last: date, days: list[date]) -> list[DayRow]:
    rows = _counted(partner, first, last).values("day").annotate(**SUMS).order_by()
    found = {r["day"]: r for r in rows}
    return [DayRow(day=d, **_totals(found.get(d, {}))) for d in days]


def by_store(partner: Partner, first: date, last: date) -> list[StoreRow]:
    rows = (
        _counted(partner, first, last)
        .values("store_id", name=F("store__name"))
        .annotate(**SUMS)
        .filter(n__gt=0)  # a store whose vouchers of the period were all refunded
        .order_by("-paid", "store_id")
    )
    return [StoreRow(store_id=r["store_id"], store_name=r["name"], **_totals(r)) for r in rows]


# The two counts below read the partner's vouchers in one state through `voucher_partner_state`:
# a few rows, as reservations expire within minutes and refunds wait for a decision; they do not
# grow with the partner's history.


def pending_count(partner: Partner) -> int:
    return Voucher.objects.filter(partner=partner, state=State.RESERVED).count()


def refunding_count(partner: Partner) -> int:
    return Voucher.objects.filter(partner=partner, state=State.REFUNDING).count()
