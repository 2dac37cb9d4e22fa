"""What the dashboard shows: a partner's vouchers, amounts converted and bonus, by day and store.

Counted vouchers are those confirmed in the period whose codes were issued and not taken back
(the states `payments.store_report` counts): a cancelled, expired or refunded voucher converted
nothing in the end.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from jackpot.partners.models import Partner
from jackpot.vouchers.models import State, Voucher
from jackpot.vouchers.payments import REPORTED_STATES

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


def period(days: int, today: date | None = None) -> tuple[datetime, datetime, list[date]]:
    """The last `days` days, today included, as [start, end) in the current time zone."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min), tz)
    return start, end, [first + timedelta(days=n) for n in range(days)]


def _counted(partner: Partner, start: datetime, end: datetime):
    return Voucher.objects.filter(
        partner=partner, state__in=REPORTED_STATES, confirm_date__gte=start, confirm_date__lt=end
    )


def _totals(row: dict) -> dict:
    value, price = row.get("value") or ZERO, row.get("price") or ZERO
    return {
        "vouchers": row.get("n") or 0,
        "converted": price,
        "value": value,
        "bonus": value - price,
    }


def totals(partner: Partner, start: datetime, end: datetime) -> Totals:
    row = _counted(partner, start, end).aggregate(
        n=Count("pk"), value=Sum("value"), price=Sum("price")
    )
    return Totals(**_totals(row))


def by_day(partner: Partner, start: datetime, end: datetime, days: list[date]) -> list[DayRow]:
    rows = (
        _counted(partner, start, end)
        .annotate(day=TruncDate("confirm_date"))
        .values("day")
        .annotate(n=Count("pk"), value=Sum("value"), price=Sum("price"))
    )
    found = {r["day"]: r for r in rows}
    return [DayRow(day=d, **_totals(found.get(d, {}))) for d in days]


def by_store(partner: Partner, start: datetime, end: datetime) -> list[StoreRow]:
    rows = (
        _counted(partner, start, end)
        .values("store_id", name=F("store__name"))
        .annotate(n=Count("pk"), value=Sum("value"), price=Sum("price"))
        .order_by("-price", "store_id")
    )
    return [StoreRow(store_id=r["store_id"], store_name=r["name"], **_totals(r)) for r in rows]


def pending_count(partner: Partner) -> int:
    return Voucher.objects.filter(partner=partner, state=State.RESERVED).count()


def refunding_count(partner: Partner) -> int:
    return Voucher.objects.filter(partner=partner, state=State.REFUNDING).count()
