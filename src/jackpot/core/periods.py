"""Periods of whole days, as statements and reports take them: a first day and a last day, both
included.

People type and read a period as its first and last day ("1 to 31 March"): the CLI's `--from`
and `--to`, the admin's form, the portal and the statement PDF all write it that way. The
database keeps it as the half-open range of instants [start, end): midnight starting the first
day to midnight ending the last, in the platform's time zone (`TIME_ZONE`), so a voucher
confirmed at 23:59 on the last day is in the period and one confirmed at the next midnight is
in the next. These two functions go from one to the other, and are the only ones that do.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def whole_days(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants [start, end) of the days from ``first`` to ``last``, both included.

    A ``last`` before ``first`` gives an end at or before the start: an empty period, which
    whoever takes it refuses (`payments.issue_statement`: `invalid-period`).
    """
    zone = timezone.get_default_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def days_of(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and the last day of the period [start, end), as `whole_days` makes them."""
    zone = timezone.get_default_timezone()
    last_instant = end - timedelta(microseconds=1)
    return start.astimezone(zone).date(), last_instant.astimezone(zone).date()
