"""Listing a partner's vouchers: filters and a stable cursor for paging through them."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q

from jackpot.core import cursors
from jackpot.core.problems import invalid_field
from jackpot.vouchers.models import PaymentState, State, Voucher


@dataclass(frozen=True)
class VoucherFilter:
    state: list[str] | None = None
    payment_state: str | None = None
    reserved_from: datetime | None = None
    reserved_to: datetime | None = None
    notification_key: str | None = None
    user_id: str | None = None
    store_id: str | None = None


def _utc(moment: datetime, field: str) -> datetime:
    """The moment in UTC, as the database compares it; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise invalid_field(field, "is out of the range of dates") from None


def encode_cursor(voucher: Voucher) -> str:
    return cursors.encode(voucher.reservation_date, voucher.id)


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        return cursors.decode(cursor, uuid.UUID)
    except cursors.CursorError:
        raise invalid_field("cursor", "is not a cursor this API gave") from None


def page(partner_id: str, filters: VoucherFilter, limit: int, cursor: str | None):
    """Newest first, ties broken by id: a stable order for cursors to walk."""
    vouchers = Voucher.objects.select_related("partner", "store").filter(partner_id=partner_id)
    if filters.state:
        unknown = set(filters.state) - set(State.values)
        if unknown:
            raise invalid_field("state", f"unknown state(s): {', '.join(sorted(unknown))}")
        vouchers = vouchers.filter(state__in=filters.state)
    if filters.payment_state:
        if filters.payment_state not in PaymentState.values:
            raise invalid_field("paymentState", "is DUE, WAITING or PAID")
        vouchers = vouchers.filter(payment_state=filters.payment_state)
    if filters.reserved_from:
        vouchers = vouchers.filter(
            reservation_date__gte=_utc(filters.reserved_from, "reservedFrom")
        )
    if filters.reserved_to:
        vouchers = vouchers.filter(reservation_date__lt=_utc(filters.reserved_to, "reservedTo"))
    if filters.notification_key:
        vouchers = vouchers.filter(notification_key=filters.notification_key)
    if filters.user_id:
        vouchers = vouchers.filter(user_id=filters.user_id)
    if filters.store_id:
        vouchers = vouchers.filter(store_id=filters.store_id)
    if cursor:
        moment, voucher_id = decode_cursor(cursor)
        vouchers = vouchers.filter(
            Q(reservation_date__lt=moment) | Q(reservation_date=moment, id__lt=voucher_id)
        )
    rows = list(vouchers.order_by("-reservation_date", "-id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]) if has_more and rows else None
    return rows, next_cursor, has_more
