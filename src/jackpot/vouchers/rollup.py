"""The daily roll-up of confirmed vouchers (`DailyTotal`), kept in the transaction of each change.

The dashboard shows, per day and per store, how many vouchers a partner's users converted and
what they were worth: the vouchers confirmed that day and still counted (`REPORTED_STATES`: their
codes were issued and not taken back). Summing the vouchers for it read every confirmation of
the period (1.5 s for a partner with 3 M vouchers); the roll-up holds one row per partner, day,
store and currency, moved by the lifecycle (`lifecycle.apply`) when a voucher starts counting
(confirmed) or stops (refund accepted), in the same transaction: a change that commits is counted,
a change rolled back never is. The rows add up to the vouchers (tests/vouchers/test_rollup.py
checks it over random sequences of operations); `rebuild` writes them from the vouchers at once.

One upsert per change, after the change's other writes: the row's lock is held for the end of the
transaction only; vouchers of one store confirmed the same day queue on it, as the wallet
partner's confirmations already queue on its wallet.
"""

import functools
import itertools
from datetime import date, datetime

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from jackpot.vouchers.models import DailyTotal, Voucher
from jackpot.vouchers.payments import REPORTED_STATES

_COUNTED = frozenset(REPORTED_STATES)
BATCH = 5000  # rows a rebuild writes at once


def day_of(moment: datetime) -> date:
    """The roll-up's day of a moment: its date in the platform's time zone (`TIME_ZONE`)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def follow(voucher: Voucher, before: str) -> None:
    """Move the roll-up by the voucher's change from state `before`, in the caller's transaction."""
    was, now = before in _COUNTED, voucher.state in _COUNTED
    if was == now or voucher.confirm_date is None:
        return
    _add(voucher, 1 if now else -1)


@functools.cache
def _upsert(vendor: str) -> str:
    """INSERT … ON CONFLICT … DO UPDATE: one statement, the same on PostgreSQL and SQLite, that
    adds to the day's row or creates it (two first changes of a day wait for each other on the
    key). Names from the model, quoted; values as parameters."""
    quote = connection.ops.quote_name
    table = quote(DailyTotal._meta.db_table)
    column = {f.name: quote(f.column) for f in DailyTotal._meta.concrete_fields}
    key = [column[name] for name in ("partner", "day", "store", "currency")]
    sums = [column[name] for name in ("vouchers", "value", "price")]
    columns, holes = ", ".join(key + sums), ", ".join(["%s"] * len(key + sums))
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({holes}) "  # noqa: S608
    return sql + f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"


def _add(voucher: Voucher, sign: int) -> None:
    ops = connection.ops
    params = [
        voucher.partner_id,
        ops.adapt_datefield_value(day_of(voucher.confirm_date)),
        voucher.store_id,
        voucher.currency,
        sign,
        ops.adapt_decimalfield_value(sign * voucher.value, 14, 2),
        ops.adapt_decimalfield_value(sign * voucher.price, 14, 2),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert(connection.vendor), params)


def rebuild(voucher_model=Voucher, total_model=DailyTotal, *, counted=REPORTED_STATES, using=None):
    """Write the roll-up anew from the vouchers: one row per (partner, day, store, currency).

    The lifecycle never needs it; the migration that made the table did (with its own models and
    states, hence the arguments), and so do benches that write vouchers by SQL and tests that
    move confirmation dates by hand. One aggregate over the counted vouchers, written in batches.
    """
    using = using or "default"
    total_model.objects.using(using).all().delete()
    groups = (
        voucher_model.objects.using(using)
        .filter(state__in=counted, confirm_date__isnull=False)
        .annotate(day=TruncDate("confirm_date", tzinfo=timezone.get_default_timezone()))
        .values("partner_id", "day", "store_id", "currency")
        .annotate(n=Count("pk"), worth=Sum("value"), paid=Sum("price"))
        .order_by()
    )
    rows = (
        total_model(
            partner_id=g["partner_id"],
            day=g["day"],
            store_id=g["store_id"],
            currency=g["currency"],
            vouchers=g["n"],
            value=g["worth"],
            price=g["paid"],
        )
        for g in groups.iterator(chunk_size=BATCH)
    )
    while batch := list(itertools.islice(rows, BATCH)):
        total_model.objects.using(using).bulk_create(batch)
