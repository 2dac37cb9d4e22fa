"""The limits' rows go once they stop mattering: a counter when its day, month or hour is over
(what it holds is a userId, or an address's HMAC), a refusal count after its retention."""

from datetime import UTC, date, datetime

import pytest

from jackpot.limits import retention
from jackpot.limits.models import AddressUsage, LimitRefusal, UserUsage
from jackpot.worker import pruning

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 15, 9, tzinfo=UTC)


def counters(partner):
    for period, start in (
        ("day", date(2026, 3, 13)),
        ("day", date(2026, 3, 14)),
        ("month", date(2026, 2, 1)),
        ("month", date(2026, 3, 1)),
    ):
        UserUsage.objects.create(partner=partner, user_id="u", period=period, start=start)
    for hour in (14, 15):
        AddressUsage.objects.create(
            partner=partner, digest="d" * 64, hour=datetime(2026, 3, 14, hour, tzinfo=UTC)
        )


def test_counters_go_when_their_window_is_over(partner):
    counters(partner)
    assert retention.prune_usage(NOW) == 3
    kept = sorted(UserUsage.objects.values_list("period", "start"))
    assert kept == [("day", date(2026, 3, 14)), ("month", date(2026, 3, 1))]
    assert [a.hour.hour for a in AddressUsage.objects.all()] == [15]


def test_refusal_counts_are_kept_for_their_retention(partner, settings):
    settings.JACKPOT_LIMIT_REFUSAL_RETENTION_DAYS = 90
    for day in (date(2025, 12, 13), date(2025, 12, 14), date(2026, 3, 14)):
        LimitRefusal.objects.create(partner=partner, day=day, kind="user-day", refusals=2)
    assert retention.prune_refusals(NOW) == 1
    assert LimitRefusal.objects.earliest("day").day == date(2025, 12, 14)


def test_the_worker_prunes_them(partner):
    counters(partner)
    run = pruning.prune(NOW)
    assert run.deleted["limitUsage"] == 3
    assert run.deleted["limitRefusals"] == 0


def test_an_erasure_forgets_the_users_counters_only(partner, make_partner):
    counters(partner)
    beta = make_partner("beta")
    UserUsage.objects.create(partner=beta, user_id="u", period="day", start=date(2026, 3, 14))
    UserUsage.objects.create(partner=partner, user_id="v", period="day", start=date(2026, 3, 14))
    assert retention.forget_user(partner.pk, "u") == 4
    assert sorted(UserUsage.objects.values_list("partner_id", "user_id")) == [
        ("acme", "v"),
        ("beta", "u"),
    ]


def test_erasing_a_user_on_request_erases_its_limit_counters(partner, catalog):
    from jackpot.partners import limits
    from jackpot.vouchers import personal_data
    from support.reservations import reserve

    limits.set_limits(partner, {"perUserDay": 5})
    reserve(partner)
    reserve(partner, userId="someone-else")
    personal_data.erase_user(partner, "user-42", "test")
    assert list(UserUsage.objects.values_list("user_id", flat=True).distinct()) == ["someone-else"]
