"""Reserving a voucher in a session (SPEC §5): one transaction, no over-spend, one per key."""

import calendar
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jackpot.catalog import budget, offers, pricing
from jackpot.core.compiled import CompiledQuery, CompiledUpdate, insert
from jackpot.core.formats import amount as json_amount
from jackpot.core.problems import Problem
from jackpot.partners.models import ConfirmationMode
from jackpot.tokens.models import Session
from jackpot.vouchers import journal, lifecycle
from jackpot.vouchers.models import State, Voucher

COUPON_ALPHABET = string.ascii_uppercase


@dataclass(frozen=True)
class Reservation:
    voucher: Voucher
    created: bool  # False when the notificationKey had already reserved this voucher


# Coupon ids are 10 random letters (26¹⁰ ≈ 1.4 × 10¹⁴): a clash is retried, not checked first.
COUPON_ATTEMPTS = 3


def new_coupon_id() -> str:
    return "".join(secrets.choice(COUPON_ALPHABET) for _ in range(10))


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day, tzinfo=UTC)


def audience(session: Session) -> offers.Audience:
    return offers.Audience(postcode=session.postcode, age=session.age, gender=session.gender)


def _quote(offer: offers.Offer, by: str, amount: Decimal) -> pricing.Quote:
    quote = (
        pricing.quote_for_listed_price(offer.rule, offers.accepted_values(offer.store), amount)
        if by == "price"
        else pricing.quote_for_value(offer.rule, amount)
    )
    if quote is None or not offer.store.accepted_values.contains(quote.value):
        accepted = offer.store.accepted_values
        raise Problem(
            "value-not-accepted",
            "This store has no voucher for that amount",
            422,
            f"No voucher of {offer.store.name} matches {by} {amount}; pick a value from the "
            "store's proposed vouchers.",
            errors=[{"field": by, "message": "no accepted voucher value matches"}],
            extra={
                "voucherValueMin": str(accepted.minimum) if accepted.minimum else None,
                "voucherValueMax": str(accepted.maximum) if accepted.maximum else None,
            },
        )
    better = offer.better_at_same_price(quote) if by == "value" else None
    if better is not None:  # the lists offer only the largest value a price buys
        raise Problem(
            "value-not-offered",
            "The same price buys a larger voucher",
            422,
            f"A {quote.value} voucher of this offer costs {quote.price}, which buys a "
            f"{better.value} voucher: reserve that one (value {better.value}).",
            errors=[{"field": "value", "message": "the same price buys a larger voucher"}],
            extra={"betterValue": json_amount(better.value), "price": json_amount(quote.price)},
        )
    return quote


_locked_session = CompiledQuery(
    lambda pk: (
        Session.objects.select_for_update(of=("self",))
        .select_related("partner")
        .annotate(
            has_voucher=Exists(
                Voucher.objects.filter(
                    partner_id=OuterRef("partner_id"), notification_key=OuterRef("notification_key")
                )
            )
        )
        .filter(pk=pk)
    ),
    uuid.UUID(int=0),
)


_close_session = CompiledUpdate(
    lambda pk, at: (Session.objects.filter(pk=pk), {"closed_at": at}),
    uuid.UUID(int=0),
    datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
)


def _existing(session: Session) -> Voucher | None:
    return (
        Voucher.objects.select_related("partner", "store")
        .filter(partner_id=session.partner_id, notification_key=session.notification_key)
        .first()
    )


def reserve(
    session: Session,
    store_id: str,
    offer_id: str,
    *,
    by: str,
    amount: Decimal,
    custom_transaction_id: str | None = None,
) -> Reservation:
    """Reserve (and, in auto mode, confirm) a voucher; the same notificationKey gives it back."""
    if by not in ("price", "value"):
        raise ValueError(by)
    for attempt in range(COUPON_ATTEMPTS):
        try:
            with transaction.atomic():
                return _reserve(session, store_id, offer_id, by, amount, custom_transaction_id)
        except IntegrityError:
            # A concurrent reservation with the same notificationKey committed first...
            existing = _existing(session)
            if existing is not None:
                return Reservation(existing, created=False)
            # ...or, once in 10¹⁴, the coupon id drawn was taken: draw again.
            if attempt == COUPON_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _reserve(session, store_id, offer_id, by, amount, custom_transaction_id) -> Reservation:
    now = timezone.now()
    # One round trip locks the session and says whether its notificationKey already has a
    # voucher (a retry with a new token): that voucher is the answer, whatever changed since.
    session = _locked_session.first(session.pk)
    if session is not None and session.has_voucher:
        return Reservation(_existing(session), created=False)
    if session is None or not session.is_live(now):
        raise Problem(
            "session-closed",
            "The session is over",
            409,
            "A session ends after one hour or with its reservation; exchange a new token.",
        )
    partner = session.partner
    if amount <= 0:
        raise Problem(
            "invalid-amount",
            "The amount must be positive",
            422,
            errors=[{"field": by, "message": "must be greater than 0"}],
        )
    offer = offers.find_offer(store_id, offer_id, audience(session), now)
    quote = _quote(offer, by, amount)
    if quote.price > session.amount:
        raise Problem(
            "amount-exceeds-budget",
            "The price is above the session's amount",
            422,
            f"The voucher costs {quote.price} and this session may convert {session.amount}.",
            errors=[{"field": by, "message": "price above the session amount"}],
        )
    if not offer.affordable(quote):
        raise Problem(
            "offer-exhausted",
            "This offer has run out",
            409,
            "The campaign's remaining bonus budget cannot fund this voucher.",
        )
    if partner.livemode:  # a test voucher is priced as a live one but spends no budget
        budget.take(offer.campaign.pk, quote.bonus)
    voucher = Voucher(
        coupon_id=new_coupon_id(),
        partner=partner,
        store=offer.store,
        campaign=offer.campaign,
        session=session,
        offer_id=offer.id,
        mode=quote.mode,
        state=State.RESERVED,
        value=quote.value,
        price=quote.price,
        rate=quote.rate,
        currency=session.currency,
        notification_key=session.notification_key,
        user_id=session.user_id,
        custom_transaction_id=(custom_transaction_id or session.custom_transaction_id)[:128],
        email=session.email,
        reservation_date=now,
        resa_expire_date=now + timedelta(seconds=settings.JACKPOT_RESERVATION_TTL),
        validity_date=add_months(now, offer.store.validity_months),
    )
    insert(voucher)  # a taken coupon id fails the unique index: `reserve` retries
    session.closed_at = now
    _close_session(session.pk, now)
    lifecycle.record(
        voucher,
        "",
        f"session:{session.pk}",
        journal.RESERVED,
        {"by": by},
        event="coupon/reserved",
    )
    # In notification mode the voucher stays RESERVED until the partner's endpoint answers the
    # coupon/reserved webhook with a 2xx (vouchers.notification_confirmation, run by the worker).
    if partner.confirmation_mode == ConfirmationMode.AUTO and not session.force_manual_confirm:
        lifecycle.apply(voucher, "confirm", "system", now=now, code=journal.AUTO_CONFIRMED)
    return Reservation(voucher, created=True)
