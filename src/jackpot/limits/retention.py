"""How long the abuse limits' rows are kept (README, "Data kept and for how long").

Usage counters hold a userId (or an address's HMAC) and only matter while their window is
open: a day's rows go the next day, a month's the next month, an hour's the next hour. Refusal
counts are what the portal charts (30 days): kept JACKPOT_LIMIT_REFUSAL_RETENTION_DAYS.
Each prune reads its candidates, oldest first, through an index (`core.pruning`).
"""

from datetime import datetime

from django.db.models import QuerySet

from jackpot.core.pruning import UNTIL_DONE, Budget, cutoff, delete_in_batches
from jackpot.limits.enforcement import windows
from jackpot.limits.models import AddressUsage, LimitRefusal, Period, UserUsage


def ended_user_usage(now: datetime, period: str) -> QuerySet:
    day, month, _ = windows(now)
    current = day if period == Period.DAY else month
    return UserUsage.objects.filter(period=period, start__lt=current).order_by("start")


def ended_address_usage(now: datetime) -> QuerySet:
    return AddressUsage.objects.filter(hour__lt=windows(now)[2]).order_by("hour")


def old_refusals(now: datetime) -> QuerySet:
    oldest = cutoff(now, "JACKPOT_LIMIT_REFUSAL_RETENTION_DAYS").date()
    return LimitRefusal.objects.filter(day__lt=oldest).order_by("day")


def prune_usage(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    """Forget the counters of windows that are over; returns how many rows went."""
    return (
        delete_in_batches(ended_user_usage(now, Period.DAY), budget)
        + delete_in_batches(ended_user_usage(now, Period.MONTH), budget)
        + delete_in_batches(ended_address_usage(now), budget)
    )


def prune_refusals(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    return delete_in_batches(old_refusals(now), budget)


def forget_user(partner_id: str, user_id: str) -> int:
    """Erase what the limits hold about one userId of a partner (its day and month counters),
    for a personal-data erasure; returns how many rows went. Read by `user_usage_once`."""
    deleted, _ = UserUsage.objects.filter(partner_id=partner_id, user_id=user_id).delete()
    return deleted
