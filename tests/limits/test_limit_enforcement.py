"""Each abuse limit at reservation: under, at and over it, its window's edges, what frees it,
and one partner's limits never touching another's users (services; the API in test_limit_api)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.limits import enforcement
from jackpot.limits.models import AddressUsage, LimitRefusal, UserUsage
from jackpot.partners.limits import Limits
from jackpot.tokens import sessions
from jackpot.vouchers import lifecycle, reservation
from jackpot.vouchers.models import Voucher
from support.reservations import SHOPPER, reserve
from support.tokens import partner_token

# 30 € vouchers of sportmax at +5 % cost 28.57.
PRICE = Decimal("28.57")


def refusal(partner, **claims):
    with pytest.raises(enforcement.LimitReached) as refused:
        reserve(partner, **claims)
    return refused.value


def test_vouchers_per_user_per_day_under_at_and_over(limited):
    partner = limited(perUserDay=2)
    reserve(partner)
    reserve(partner)
    problem = refusal(partner)
    assert problem.code == "user-limit-reached" and problem.status == 409
    assert problem.extra["limit"] == "vouchers"
    assert problem.extra["window"] == "day"
    assert problem.extra["maximum"] == 2
    tomorrow = timezone.now().astimezone(UTC).date() + timedelta(days=1)
    assert problem.extra["resetsAt"] == f"{tomorrow.isoformat()}T00:00:00.000Z"
    assert Voucher.objects.count() == 2


def test_a_refusal_writes_nothing_but_its_count(limited):
    partner = limited(perUserDay=1)
    reserve(partner)
    usage = sorted(UserUsage.objects.values_list("period", "vouchers", "amount_cents"))
    token = partner_token(partner.issued.apiSignature, **SHOPPER)
    opened = sessions.exchange(token, client_id=partner.pk)
    with pytest.raises(enforcement.LimitReached):
        reservation.reserve(opened.session, "sportmax", "sportmax-launch", by="value", amount=30)
    assert Voucher.objects.count() == 1
    assert sorted(UserUsage.objects.values_list("period", "vouchers", "amount_cents")) == usage
    opened.session.refresh_from_db()
    assert opened.session.closed_at is None  # the session is still open: nothing was reserved
    assert list(LimitRefusal.objects.values_list("kind", "refusals")) == [("user-day", 1)]
    with pytest.raises(enforcement.LimitReached):
        reservation.reserve(opened.session, "sportmax", "sportmax-launch", by="value", amount=30)
    assert list(LimitRefusal.objects.values_list("kind", "refusals")) == [("user-day", 2)]


def test_vouchers_per_user_per_month(limited):
    partner = limited(perUserMonth=3)
    for _ in range(3):
        reserve(partner)
    problem = refusal(partner)
    assert (problem.extra["limit"], problem.extra["window"]) == ("vouchers", "month")
    assert problem.kind == "user-month"


def test_amount_per_user_per_month_counts_the_price_converted(limited):
    partner = limited(amountPerUserMonth="67.00")
    reserve(partner)  # 28.57
    reserve(partner)  # 57.14
    problem = refusal(partner)  # 85.71 > 67
    assert problem.extra["limit"] == "amount"
    assert problem.extra["maximum"] == 67
    assert problem.extra["remaining"] == 9.86
    assert problem.kind == "user-amount-month"
    assert reserve(partner, value=10).price == Decimal("9.52")  # 66.66: it fits
    assert refusal(partner, value=10).extra["remaining"] == 0.34


def test_an_amount_limit_below_one_price_refuses_the_first_voucher(limited):
    partner = limited(amountPerUserMonth="20")
    problem = refusal(partner)
    assert problem.extra["remaining"] == 20
    assert not UserUsage.objects.exists()


def test_the_amount_limit_is_reached_exactly(limited):
    partner = limited(amountPerUserMonth=str(PRICE * 2))
    reserve(partner)
    reserve(partner)
    assert refusal(partner).extra["remaining"] == 0


@pytest.mark.parametrize("action", ["cancel", "expire"])
def test_a_cancelled_or_expired_voucher_frees_its_place(limited, action):
    partner = limited(perUserDay=1, amountPerUserMonth=str(PRICE))
    partner.confirmation_mode = "manual"
    partner.save()
    voucher = reserve(partner)
    refusal(partner)
    lifecycle.transition(voucher.pk, action, "test")
    assert reserve(partner).state == "RESERVED"


def test_a_refunded_voucher_still_counts(limited):
    partner = limited(perUserDay=1)
    voucher = reserve(partner)
    lifecycle.transition(voucher.pk, "deliver", "test")
    lifecycle.transition(voucher.pk, "refund", "test")
    lifecycle.transition(voucher.pk, "accept_refund", "test")
    refusal(partner)


def test_users_are_counted_apart_and_without_userid_not_at_all(limited):
    partner = limited(perUserDay=1)
    reserve(partner)
    reserve(partner, userId="user-43")
    refusal(partner)
    for _ in range(3):
        reserve(partner, userId=None)


def test_one_partners_limits_never_touch_another_partners_users(limited, beta):
    partner = limited(perUserDay=1)
    beta_limits = {"perUserDay": 5}
    from jackpot.partners import limits

    limits.set_limits(beta, beta_limits)
    reserve(partner)
    refusal(partner)
    for _ in range(3):  # the same userId at beta: its own count, its own limit
        reserve(beta)
    assert UserUsage.objects.get(partner=beta, period="day").vouchers == 3
    assert LimitRefusal.objects.filter(partner=beta).count() == 0


def test_limits_set_mid_month_count_the_vouchers_already_made(limited):
    partner = limited()
    reserve(partner)
    reserve(partner)
    partner = limited(perUserMonth=2)
    refusal(partner)


# --- windows, on `enforcement.take` itself -----------------------------------------------


def take(partner, limits, now, user="u1", price="10.00", address=None):
    enforcement.take(partner.pk, limits, user, Decimal(price), address, now)


def test_the_day_window_turns_at_midnight_utc(partner):
    limits = Limits(per_user_day=1)
    evening = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
    take(partner, limits, evening)
    with pytest.raises(enforcement.LimitReached) as refused:
        take(partner, limits, evening - timedelta(hours=20))
    assert refused.value.extra["resetsAt"] == "2026-04-01T00:00:00.000Z"
    take(partner, limits, evening + timedelta(seconds=1))  # a new day, and a new month


def test_the_month_window_turns_on_the_first(partner):
    limits = Limits(per_user_month=1, amount_per_user_month=Decimal("15"))
    take(partner, limits, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    with pytest.raises(enforcement.LimitReached) as refused:
        take(partner, limits, datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    assert refused.value.extra["resetsAt"] == "2027-01-01T00:00:00.000Z"
    take(partner, limits, datetime(2027, 1, 1, 0, 0, tzinfo=UTC))


def test_reservations_per_address_per_hour(partner):
    limits = Limits(per_address_hour=2)
    at = datetime(2026, 5, 4, 10, 59, 30, tzinfo=UTC)
    take(partner, limits, at, address="203.0.113.7")
    take(partner, limits, at, user="u2", address="203.0.113.7")
    with pytest.raises(enforcement.LimitReached) as refused:
        take(partner, limits, at, user="u3", address="203.0.113.7")
    problem = refused.value
    assert (problem.code, problem.status) == ("address-limit-reached", 429)
    assert problem.headers == {"Retry-After": "31"}
    assert problem.extra == {
        "limit": "reservations",
        "window": "hour",
        "maximum": 2,
        "resetsAt": "2026-05-04T11:00:00.000Z",
    }
    take(partner, limits, at, address="198.51.100.1")  # another address
    take(partner, limits, at, address=None)  # no known address: not limited by address
    take(partner, limits, at + timedelta(seconds=30), address="203.0.113.7")  # the next hour


def test_addresses_are_kept_as_an_hmac_only(partner):
    take(partner, Limits(per_address_hour=5), timezone.now(), address="203.0.113.7")
    usage = AddressUsage.objects.get()
    assert "203.0.113.7" not in usage.digest
    assert usage.digest == enforcement.address_digest(partner.pk, "203.0.113.7")
    assert usage.digest != enforcement.address_digest("beta", "203.0.113.7")


def test_without_an_address_limit_no_address_is_counted(partner):
    take(partner, Limits(per_user_day=5), timezone.now(), address="203.0.113.7")
    assert not AddressUsage.objects.exists()
