"""Holding a partner's abuse limits at reservation, under concurrency, on both databases.

Each limit is a counter row taken with one guarded upsert, run in the reservation's
transaction (`vouchers.reservation`):

    INSERT … VALUES (…, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1 WHERE n < limit RETURNING n

On PostgreSQL a concurrent upsert of the same key waits for the first one's row lock, then
evaluates its WHERE against the committed row: of N simultaneous reservations with k places left,
exactly k get a row back. SQLite runs one writer at a time (IMMEDIATE transactions). No row back
means the limit is reached: `LimitReached` is raised, the reservation's transaction rolls back
(so the counters it already moved go back too) and nothing is written; the caller then records
the refusal in a transaction of its own (`record_refusal`).

Windows are calendar periods in UTC: the day, the month, the hour. Which vouchers count for a
userId: those reserved in the window, less those cancelled or expired since (`release` takes
them back); refunded vouchers still count. The address limit counts reservations made in the
hour, cancelled or not. A reservation without a userId is not limited per user; a request
without a known client address is not limited per address.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from jackpot.core.formats import amount as json_amount
from jackpot.core.formats import iso
from jackpot.core.money import CENT
from jackpot.core.problems import Problem
from jackpot.limits.models import AddressUsage, LimitRefusal, Period, RefusalKind, UserUsage
from jackpot.partners.limits import Limits


@dataclass
class LimitReached(Problem):
    """A refusal by one of the partner's limits; `kind` is what the portal counts it as."""

    kind: str = ""


def cents(money: Decimal) -> int:
    return int((money.quantize(CENT) * 100).to_integral_value())


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def windows(now: datetime) -> tuple[date, date, datetime]:
    """The day, the month's first day and the hour (UTC) that `now` falls in."""
    now = now.astimezone(UTC)
    day = now.date()
    return day, day.replace(day=1), now.replace(minute=0, second=0, microsecond=0)


def address_digest(partner_id: str, address: str) -> str:
    """The address as the counters know it: an HMAC under SECRET_KEY, one per partner."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{partner_id}|{address}".encode(), hashlib.sha256).hexdigest()


def _upsert(table: str, key: list[str], values: dict, increments: dict, guards: list) -> bool:
    """Insert the row `values` or add `increments` to the existing one where every guard (an
    SQL condition on the existing row, with its parameters) holds; whether a row was written."""
    qn = connection.ops.quote_name
    t = qn(table)
    columns = ", ".join(qn(c) for c in values)
    placeholders = ", ".join(["%s"] * len(values))
    sets = ", ".join(f"{qn(c)} = {t}.{qn(c)} + %s" for c in increments)
    params = [*values.values(), *increments.values()]
    where = ""
    if guards:
        where = " WHERE " + " AND ".join(f"({sql.format(t=t)})" for sql, _ in guards)
        params += [p for _, guard_params in guards for p in guard_params]
    # Only names of our models' tables and columns (quoted) are formatted in; values are
    # parameters.
    sql = (
        f"INSERT INTO {t} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(qn(c) for c in key)}) DO UPDATE SET {sets}{where} "
        f"RETURNING {qn(key[0])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _take_user(partner_id, user_id, period, start, price_cents, max_vouchers, max_cents) -> bool:
    guards = []
    if max_vouchers is not None:
        guards.append(("{t}.vouchers < %s", [max_vouchers]))
    if max_cents is not None:
        guards.append(("{t}.amount_cents + %s <= %s", [price_cents, max_cents]))
    return _upsert(
        UserUsage._meta.db_table,
        ["partner_id", "user_id", "period", "start"],
        {
            "partner_id": partner_id,
            "user_id": user_id,
            "period": period,
            "start": connection.ops.adapt_datefield_value(start),
            "vouchers": 1,
            "amount_cents": price_cents,
        },
        {"vouchers": 1, "amount_cents": price_cents},
        guards,
    )


def user_refusal(kind: str, limits: Limits, resets_at: datetime, remaining=None) -> LimitReached:
    """The problem a per-user limit answers: which limit, its window, its maximum, when the
    window ends (and for the amount, what is left to convert)."""
    words = {
        RefusalKind.USER_DAY: ("vouchers", "day", limits.per_user_day),
        RefusalKind.USER_MONTH: ("vouchers", "month", limits.per_user_month),
        RefusalKind.USER_AMOUNT_MONTH: ("amount", "month", limits.amount_per_user_month),
    }
    limit, window, maximum = words[kind]
    if limit == "vouchers":
        detail = (
            f"This user already has {maximum} voucher(s) this {window}, the most this partner "
            f"allows per {window}."
        )
    else:
        detail = (
            f"This user may convert {maximum:.2f} a month and has {remaining:.2f} left this "
            "month: less than this voucher's price."
        )
    extra = {
        "limit": limit,
        "window": window,
        "maximum": json_amount(maximum) if limit == "amount" else maximum,
        "resetsAt": iso(resets_at),
    }
    if remaining is not None:
        extra["remaining"] = json_amount(remaining)
    return LimitReached(
        "user-limit-reached", "This user reached a limit", 409, detail, extra=extra, kind=kind
    )


def address_refusal(limits: Limits, now: datetime, resets_at: datetime) -> LimitReached:
    wait = max(1, int((resets_at - now).total_seconds()) + 1)
    return LimitReached(
        "address-limit-reached",
        "Too many reservations from this address",
        429,
        f"{limits.per_address_hour} reservation(s) an hour may come from one address; "
        f"retry after {wait} s.",
        extra={
            "limit": "reservations",
            "window": "hour",
            "maximum": limits.per_address_hour,
            "resetsAt": iso(resets_at),
        },
        headers={"Retry-After": str(wait)},
        kind=RefusalKind.ADDRESS_HOUR,
    )


def take(
    partner_id: str,
    limits: Limits,
    user_id: str,
    price: Decimal,
    address: str | None,
    now: datetime,
) -> None:
    """Count one reservation of `price` for `user_id` and `address`, or raise LimitReached.

    Call inside the reservation's transaction: a refusal must roll back what was counted.
    """
    day, month, hour = windows(now)
    price_cents = cents(price)
    if user_id:
        max_cents = (
            cents(limits.amount_per_user_month)
            if limits.amount_per_user_month is not None
            else None
        )
        if max_cents is not None and price_cents > max_cents:  # refused even as a first row
            raise user_refusal(
                RefusalKind.USER_AMOUNT_MONTH,
                limits,
                _midnight(_next_month(month)),
                remaining=_remaining(partner_id, user_id, month, max_cents),
            )
        if not _take_user(
            partner_id, user_id, Period.DAY, day, price_cents, limits.per_user_day, None
        ):
            raise user_refusal(RefusalKind.USER_DAY, limits, _midnight(day + timedelta(days=1)))
        if not _take_user(
            partner_id,
            user_id,
            Period.MONTH,
            month,
            price_cents,
            limits.per_user_month,
            max_cents,
        ):
            used = _month_row(partner_id, user_id, month)
            resets = _midnight(_next_month(month))
            if limits.per_user_month is not None and used.vouchers >= limits.per_user_month:
                raise user_refusal(RefusalKind.USER_MONTH, limits, resets)
            remaining = Decimal(max(0, max_cents - used.amount_cents)) / 100  # a lowered limit
            raise user_refusal(
                RefusalKind.USER_AMOUNT_MONTH, limits, resets, remaining=remaining.quantize(CENT)
            )
    if address and limits.per_address_hour is not None:
        taken = _upsert(
            AddressUsage._meta.db_table,
            ["partner_id", "digest", "hour"],
            {
                "partner_id": partner_id,
                "digest": address_digest(partner_id, address),
                "hour": connection.ops.adapt_datetimefield_value(hour),
                "reservations": 1,
            },
            {"reservations": 1},
            [("{t}.reservations < %s", [limits.per_address_hour])],
        )
        if not taken:
            raise address_refusal(limits, now, hour + timedelta(hours=1))


def _month_row(partner_id: str, user_id: str, month: date) -> UserUsage:
    return UserUsage.objects.get(
        partner_id=partner_id, user_id=user_id, period=Period.MONTH, start=month
    )


def _remaining(partner_id: str, user_id: str, month: date, max_cents: int) -> Decimal:
    used = (
        UserUsage.objects.filter(
            partner_id=partner_id, user_id=user_id, period=Period.MONTH, start=month
        )
        .values_list("amount_cents", flat=True)
        .first()
    )
    return (Decimal(max(0, max_cents - (used or 0))) / 100).quantize(CENT)


def release(partner_id: str, user_id: str, reserved_at: datetime, price: Decimal) -> None:
    """Give back what a voucher counted for its user (cancelled or expired): its day's and its
    month's rows, when they are still kept (a period over has been pruned: nothing to free)."""
    if not user_id:
        return
    for rows in held_by(partner_id, user_id, reserved_at):
        rows.update(vouchers=F("vouchers") - 1, amount_cents=F("amount_cents") - cents(price))


def held_by(partner_id: str, user_id: str, reserved_at: datetime) -> list:
    """The day's row and the month's row a reservation made at `reserved_at` counted in, each
    by its whole key (`user_usage_once`)."""
    day, month, _ = windows(reserved_at)
    return [
        UserUsage.objects.filter(
            partner_id=partner_id, user_id=user_id, period=period, start=start, vouchers__gt=0
        )
        for period, start in ((Period.DAY, day), (Period.MONTH, month))
    ]


def record_refusal(partner_id: str, kind: str, now: datetime) -> None:
    """Add one to the day's refusals of `kind`, in a transaction of its own (the refused
    reservation's was rolled back); concurrent refusals add up through the upsert."""
    with transaction.atomic():
        _upsert(
            LimitRefusal._meta.db_table,
            ["partner_id", "day", "kind"],
            {
                "partner_id": partner_id,
                "day": connection.ops.adapt_datefield_value(windows(now)[0]),
                "kind": kind,
                "refusals": 1,
            },
            {"refusals": 1},
            [],
        )
