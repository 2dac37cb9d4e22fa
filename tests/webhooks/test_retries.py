"""Webhook retries (SPEC §8): the schedule with its jitter, Retry-After, giving up once the
schedule is used up; a delivery's lease, and its outcome reaching the callback.

`deliver_due()` is driven directly; the retry schedule is shortened with
JACKPOT_WEBHOOK_RETRY_SCHEDULE, or the clock is moved with `now=`, so nothing sleeps for long.
"""

from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Attempt, Delivery, OutboxEvent
from jackpot.webhooks.sending import parse_retry_after

pytestmark = pytest.mark.django_db


def test_three_failures_then_success_deliver_with_the_same_webhook_id(
    hooked_partner, receiver, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0,0,0,0")
    receiver.answer(500, 500, 500, 200)
    event = store_event(hooked_partner)

    for expected in ("pending", "pending", "pending", "delivered"):
        assert deliver_due() == 1  # each pass attempts a delivery once
        assert Delivery.objects.get().status == expected

    assert receiver.ids() == [str(event.id)] * 4
    for request in receiver.requests:
        request.verify(hooked_partner.webhook_secret)
    timestamps = [int(r.headers["webhook-timestamp"]) for r in receiver.requests]
    assert timestamps == sorted(timestamps)  # each attempt signs with its own time
    assert list(Attempt.objects.values_list("number", "status_code")) == [
        (1, 500),
        (2, 500),
        (3, 500),
        (4, 200),
    ]
    assert Delivery.objects.get().attempts == 4
    assert deliver_due() == 0


def test_retries_follow_the_schedule_with_jitter(
    hooked_partner, receiver, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5,30,120")
    receiver.answer(500, 500)
    store_event(hooked_partner)
    start = timezone.now()

    deliver_due(now=start)
    first = Delivery.objects.get().next_attempt_at - start
    assert timedelta(seconds=4) <= first <= timedelta(seconds=6)  # 5 s ± 20 %

    assert deliver_due(now=start + timedelta(seconds=3.9)) == 0  # not due yet
    later = start + first
    assert deliver_due(now=later) == 1
    second = Delivery.objects.get().next_attempt_at - later
    assert timedelta(seconds=24) <= second <= timedelta(seconds=36)
    assert len(receiver.requests) == 2


def test_a_delivery_fails_for_good_once_the_schedule_is_used_up(
    hooked_partner, receiver, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0,0")
    receiver.default = (503, {}, b"down")
    store_event(hooked_partner)

    for _ in range(5):
        deliver_due()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 3, "HTTP 503")
    assert len(receiver.requests) == 3


def test_the_default_schedule_spans_about_a_day(monkeypatch):
    from jackpot.webhooks import config

    monkeypatch.delenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", raising=False)
    schedule = config.retry_schedule()
    assert len(schedule) == 10
    assert 20 * 3600 <= sum(schedule) <= 30 * 3600


def test_a_malformed_schedule_is_refused_clearly(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from jackpot.webhooks import config

    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5,soon")
    with pytest.raises(ImproperlyConfigured, match="JACKPOT_WEBHOOK_RETRY_SCHEDULE"):
        config.retry_schedule()


@pytest.mark.parametrize(
    ("retry_after", "schedule", "low", "high"),
    [
        ("120", "1", 120, 120),  # longer than the step: honoured
        ("1", "60", 48, 72),  # shorter than the step: the step wins
        ("9999999", "1", 86400, 86400),  # capped at a day
    ],
)
def test_retry_after_is_honoured(
    hooked_partner, receiver, monkeypatch, retry_after, schedule, low, high, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", schedule)
    receiver.answer((429, {"Retry-After": retry_after}))
    store_event(hooked_partner)
    start = timezone.now()

    deliver_due(now=start)

    wait = (Delivery.objects.get().next_attempt_at - start).total_seconds()
    assert low <= wait <= high
    assert Delivery.objects.get().status == "pending"


def test_retry_after_as_an_http_date(hooked_partner, receiver, monkeypatch, store_event):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "1")
    store_event(hooked_partner)
    start = timezone.now()
    receiver.answer((503, {"Retry-After": format_datetime(start + timedelta(seconds=300), True)}))

    deliver_due(now=start)

    wait = (Delivery.objects.get().next_attempt_at - start).total_seconds()
    assert 295 <= wait <= 301


def test_retry_after_parsing():
    now = timezone.now()
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), True), now) == 0


def test_a_worker_that_lost_its_lease_only_logs_its_attempt(hooked_partner, store_event):
    from jackpot.webhooks.claiming import claim
    from jackpot.webhooks.outcomes import record
    from jackpot.webhooks.sending import Response

    store_event(hooked_partner)
    start = timezone.now()
    [late], _ = claim(start, start, 1)
    Delivery.objects.update(locked_until=timezone.now() - timedelta(seconds=1))  # it ran out
    [fresh], _ = claim(timezone.now(), timezone.now(), 1)  # another worker takes it over
    assert fresh.token != late.token

    failed = Response(timezone.now(), 5, status_code=500, error="HTTP 500")
    assert record([(late, failed)], start) == []  # no outcome: the other worker decides
    delivery = Delivery.objects.get()
    assert delivery.lease_token == fresh.token and delivery.attempts == 0
    assert Attempt.objects.get().status_code == 500

    [outcome] = record([(fresh, Response(timezone.now(), 5, status_code=200))], start)
    assert outcome.delivered and Delivery.objects.get().status == "delivered"


def test_a_claimed_delivery_is_not_claimed_again_while_leased(hooked_partner, store_event):
    from jackpot.webhooks.claiming import claim

    store_event(hooked_partner)
    now = timezone.now()
    assert len(claim(now, now, 5)[0]) == 1
    assert claim(now, now, 5) == ([], [])
    delivery = Delivery.objects.get()
    assert delivery.locked_until > now + timedelta(seconds=55)  # the 60 s lease


def test_outcomes_reach_the_callback_and_a_failing_callback_changes_nothing(
    hooked_partner, receiver, store_event
):
    seen = []

    def callback(outcome):
        seen.append((outcome.event, outcome.status, outcome.status_code, outcome.final))
        OutboxEvent.objects.all().delete()  # undone: the callback's savepoint rolls back
        raise RuntimeError("a bug in the callback")

    event = store_event(hooked_partner)
    deliver_due(on_outcome=callback)

    assert seen == [("store/update", "delivered", 200, True)]
    assert OutboxEvent.objects.filter(pk=event.pk).exists()
    assert Delivery.objects.get().status == "delivered"


def test_a_callback_naming_its_events_hears_of_no_other_and_costs_no_savepoint(
    hooked_partner, receiver, store_event
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen = []

    def callback(outcome):
        seen.append(outcome.event)

    callback.events = frozenset({"coupon/reserved"})
    store_event(hooked_partner)
    with CaptureQueriesContext(connection) as recorded:
        deliver_due(on_outcome=callback)
    assert seen == [] and Delivery.objects.get().status == "delivered"
    savepoints = [q for q in recorded.captured_queries if q["sql"].startswith("SAVEPOINT")]
    callback.events = frozenset({"store/update"})
    store_event(hooked_partner)
    with CaptureQueriesContext(connection) as reported:
        deliver_due(on_outcome=callback)
    assert seen == ["store/update"]
    more = [q for q in reported.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(more) == len(savepoints) + 1  # the callback's own savepoint, only when called


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JACKPOT_WEBHOOK_TIMEOUT", "soon"),
        ("JACKPOT_WEBHOOK_TIMEOUT", "0"),
        ("JACKPOT_WEBHOOK_LEASE", "-1"),
        ("JACKPOT_WEBHOOK_CONCURRENCY", "0"),
        ("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5,-1"),
        ("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5,,30"),
        ("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "nan"),
    ],
)
def test_bad_delivery_settings_are_refused_by_name(monkeypatch, name, value):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        deliver_due()
