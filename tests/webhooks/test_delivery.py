"""Webhook delivery (SPEC §8) against a real HTTP receiver on loopback.

Every delivery is checked with standardwebhooks' own verifier, as a partner would check it. The
worker's delivery function is driven directly: one call of `deliver_due()` attempts each due
delivery once; the retry schedule is shortened with JACKPOT_WEBHOOK_RETRY_SCHEDULE, or the clock
is moved with `now=`, so nothing sleeps for long.
"""

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.db import connection
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from jackpot.webhooks import signing
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Attempt, Delivery, Endpoint, OutboxEvent
from jackpot.webhooks.sending import parse_retry_after
from jackpot.webhooks.services import ResendError, enable_endpoint, resend, resend_failed
from support.waiting import wait_for

pytestmark = pytest.mark.django_db


def only_delivery() -> Delivery:
    return Delivery.objects.get()


# --- envelope, URL, headers ----------------------------------------------------------------


def test_a_delivery_is_the_signed_envelope_posted_with_the_notification_key(
    hooked_partner, receiver, store_event
):
    event = store_event(hooked_partner, key="nk-42", event="coupon/confirmed")

    assert deliver_due() == 1

    [request] = receiver.requests
    assert request.verify(hooked_partner.webhook_secret) == event.payload
    assert request.path == "/hooks?notificationKey=nk-42"
    assert request.json == {
        "event": "coupon/confirmed",
        "id": str(event.id),
        "createdAt": event.payload["createdAt"],
        "message": {
            "storeId": "sportmax",
            "notificationKey": "nk-42",
            "data": {"id": "sportmax", "n": 0},
        },
    }
    assert request.headers["webhook-id"] == str(event.id)
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Jackpot-Webhooks/1"
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.locked_until is None


def test_the_notification_key_is_added_to_a_url_that_has_a_query(
    make_partner, receiver, store_event
):
    partner = make_partner("acme", notification_url=f"{receiver.url}?source=jackpot&a=1#frag")
    store_event(partner, key="k 1&2")

    deliver_due()

    [request] = receiver.requests
    assert request.query == {"source": "jackpot", "a": "1", "notificationKey": "k 1&2"}
    assert request.path.startswith("/hooks?source=jackpot&a=1&notificationKey=")


def test_the_longest_url_and_key_fit(make_partner, receiver, store_event):
    url = f"{receiver.url}?pad={'x' * (500 - len(receiver.url) - 5)}"
    partner = make_partner("acme", notification_url=url)
    store_event(partner, key="😀" * 128)  # 128 characters, 12 once percent-encoded

    deliver_due()

    assert receiver.requests[0].query["notificationKey"] == "😀" * 128
    assert only_delivery().status == "delivered"


def test_a_store_event_has_no_notification_key(hooked_partner, receiver, store_event):
    store_event(hooked_partner, key=None)
    deliver_due()
    assert receiver.requests[0].path == "/hooks"


def test_without_a_notification_url_the_envelope_is_kept_and_nothing_is_sent(
    make_partner, receiver, store_event
):
    partner = make_partner("acme")
    store_event(partner)

    assert deliver_due() == 0
    assert OutboxEvent.objects.count() == 1
    assert not Delivery.objects.exists()
    assert receiver.requests == []


def test_every_attempt_is_logged_with_a_response_excerpt_of_at_most_1_kb(
    hooked_partner, receiver, store_event
):
    receiver.answer((500, {}, "é".encode() * 3000))
    store_event(hooked_partner)

    deliver_due()

    [attempt] = Attempt.objects.all()
    assert attempt.number == 1 and attempt.status_code == 500
    assert attempt.error == "HTTP 500"
    assert attempt.duration_ms >= 0 and attempt.started_at <= timezone.now()
    assert 0 < len(attempt.response_excerpt.encode()) <= 1024 + 3  # a cut character is replaced
    assert attempt.response_excerpt.startswith("éé")


# --- retries -------------------------------------------------------------------------------


def test_three_failures_then_success_deliver_with_the_same_webhook_id(
    hooked_partner, receiver, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0,0,0,0")
    receiver.answer(500, 500, 500, 200)
    event = store_event(hooked_partner)

    for expected in ("pending", "pending", "pending", "delivered"):
        assert deliver_due() == 1  # each pass attempts a delivery once
        assert only_delivery().status == expected

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
    assert only_delivery().attempts == 4
    assert deliver_due() == 0


def test_retries_follow_the_schedule_with_jitter(
    hooked_partner, receiver, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5,30,120")
    receiver.answer(500, 500)
    store_event(hooked_partner)
    start = timezone.now()

    deliver_due(now=start)
    first = only_delivery().next_attempt_at - start
    assert timedelta(seconds=4) <= first <= timedelta(seconds=6)  # 5 s ± 20 %

    assert deliver_due(now=start + timedelta(seconds=3.9)) == 0  # not due yet
    later = start + first
    assert deliver_due(now=later) == 1
    second = only_delivery().next_attempt_at - later
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

    delivery = only_delivery()
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

    wait = (only_delivery().next_attempt_at - start).total_seconds()
    assert low <= wait <= high
    assert only_delivery().status == "pending"


def test_retry_after_as_an_http_date(hooked_partner, receiver, monkeypatch, store_event):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "1")
    store_event(hooked_partner)
    start = timezone.now()
    receiver.answer((503, {"Retry-After": format_datetime(start + timedelta(seconds=300), True)}))

    deliver_due(now=start)

    wait = (only_delivery().next_attempt_at - start).total_seconds()
    assert 295 <= wait <= 301


def test_retry_after_parsing():
    now = timezone.now()
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), True), now) == 0


# --- what counts as a failure --------------------------------------------------------------


def test_a_redirect_is_a_failure_and_is_not_followed(hooked_partner, receiver, store_event):
    receiver.answer((302, {"Location": f"{receiver.base}/elsewhere"}))
    store_event(hooked_partner)

    deliver_due()

    assert [r.path.split("?")[0] for r in receiver.requests] == ["/hooks"]
    delivery = only_delivery()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert "redirect not followed" in delivery.last_error


def test_a_timeout_is_a_failure(hooked_partner, receiver, monkeypatch, store_event):
    monkeypatch.setenv("JACKPOT_WEBHOOK_TIMEOUT", "0.2")
    receiver.delay = 1.0
    store_event(hooked_partner)

    deliver_due()

    delivery = only_delivery()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_error.startswith("timeout after 0.2 s")
    assert Attempt.objects.get().duration_ms < 1000


def test_a_connection_refused_is_a_failure(make_partner, store_event):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    partner = make_partner("acme", notification_url=f"http://127.0.0.1:{port}/hooks")
    store_event(partner)

    deliver_due()

    delivery = only_delivery()
    assert delivery.status == "pending" and "ConnectError" in delivery.last_error
    assert Attempt.objects.get().status_code is None


@pytest.mark.parametrize(
    ("code", "status"),
    [(200, "delivered"), (202, "delivered"), (204, "delivered"), (299, "delivered")]
    + [(301, "pending"), (400, "pending"), (404, "pending"), (429, "pending"), (500, "pending")],
)
def test_only_2xx_is_success(hooked_partner, receiver, code, status, store_event):
    receiver.answer(code)
    store_event(hooked_partner)

    deliver_due()

    assert (only_delivery().last_status_code, only_delivery().status) == (code, status)


@pytest.mark.django_db(transaction=True)
def test_a_stalled_endpoint_holds_up_no_other_partner(
    make_partner, receiver, other_receiver, store_event, monkeypatch
):
    """Partner A's endpoint hangs; B's deliveries still go out (A gets 3 of the 4 slots)."""
    monkeypatch.setenv("JACKPOT_WEBHOOK_CONCURRENCY", "4")
    slow = make_partner("acme", notification_url=receiver.url)
    fast = make_partner("other", notification_url=other_receiver.url)
    receiver.gate = threading.Event()
    for n in range(6):
        store_event(slow, n=n)
    for n in range(3):
        store_event(fast, n=n)

    def work():
        try:
            deliver_due()
        finally:
            connection.close()  # the thread's own connection, or the test database stays busy

    worker = threading.Thread(target=work)
    worker.start()
    try:
        wait_for(lambda: len(other_receiver.requests) >= 3, 20, "B's three deliveries")
        assert len(other_receiver.requests) == 3  # all of B while A's first POSTs hang
        assert len(receiver.requests) == 3  # A never had more than three quarters of the slots
    finally:
        receiver.gate.set()
        worker.join(30)
    assert Delivery.objects.filter(status="delivered").count() == 9


# --- leases and outcomes ------------------------------------------------------------------


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
    delivery = only_delivery()
    assert delivery.lease_token == fresh.token and delivery.attempts == 0
    assert Attempt.objects.get().status_code == 500

    [outcome] = record([(fresh, Response(timezone.now(), 5, status_code=200))], start)
    assert outcome.delivered and only_delivery().status == "delivered"


def test_a_claimed_delivery_is_not_claimed_again_while_leased(hooked_partner, store_event):
    from jackpot.webhooks.claiming import claim

    store_event(hooked_partner)
    now = timezone.now()
    assert len(claim(now, now, 5)[0]) == 1
    assert claim(now, now, 5) == ([], [])
    delivery = only_delivery()
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
    assert only_delivery().status == "delivered"


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


# --- 410 Gone ------------------------------------------------------------------------------


def test_410_disables_the_endpoint_and_stops_deliveries(
    hooked_partner, receiver, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_CONCURRENCY", "1")
    receiver.answer(410)
    first = store_event(hooked_partner, n=1)
    store_event(hooked_partner, n=2)  # waiting behind the first

    deliver_due()

    assert receiver.ids() == [str(first.id)]
    endpoint = Endpoint.objects.get(partner=hooked_partner)
    assert endpoint.disabled_at is not None
    assert "410" in endpoint.disabled_reason and receiver.url in endpoint.disabled_reason
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["disabled", "disabled"]

    store_event(hooked_partner, n=3)  # written after: set aside at once
    assert Delivery.objects.filter(status="disabled").count() == 3
    deliver_due()
    assert len(receiver.requests) == 1

    with pytest.raises(ResendError, match="disabled"):
        resend(Delivery.objects.last().pk)
    enable_endpoint(hooked_partner)
    assert resend_failed(hooked_partner) == 3
    deliver_due()
    assert Delivery.objects.filter(status="delivered").count() == 3
    assert len(receiver.requests) == 4


# --- resend --------------------------------------------------------------------------------


def test_resend_sends_a_delivery_again_with_the_same_id(hooked_partner, receiver, store_event):
    event = store_event(hooked_partner)
    deliver_due()

    delivery = resend(only_delivery().pk)

    assert delivery.status == "pending"
    deliver_due()
    assert receiver.ids() == [str(event.id)] * 2
    assert only_delivery().attempts == 2
    with pytest.raises(ResendError, match="no delivery"):
        resend(10**9)


def test_resend_failed_requeues_failed_deliveries_of_one_partner(failed_twice, receiver):
    acme = failed_twice
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}

    receiver.default = (200, {}, b"")
    assert resend_failed(acme) == 1
    deliver_due()

    assert dict(Delivery.objects.values_list("partner_id", "status")) == {
        "acme": "delivered",
        "other": "failed",
    }
    assert resend_failed() == 1


def test_resend_goes_to_the_partners_current_url(hooked_partner, receiver, store_event):
    store_event(hooked_partner, key="nk-1")
    receiver.answer(500)
    deliver_due()
    hooked_partner.notification_url = f"{receiver.base}/new?x=1"
    hooked_partner.save()

    resend(only_delivery().pk)
    deliver_due()

    assert receiver.requests[-1].path == "/new?x=1&notificationKey=nk-1"


def test_a_retry_follows_the_partners_new_url_and_each_attempt_logs_its_url(
    hooked_partner, receiver, store_event, monkeypatch
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0")
    receiver.answer(404)
    store_event(hooked_partner, key="nk-1")
    deliver_due()
    hooked_partner.notification_url = f"{receiver.base}/fixed"
    hooked_partner.save()

    deliver_due()

    assert [r.path for r in receiver.requests] == [
        "/hooks?notificationKey=nk-1",
        "/fixed?notificationKey=nk-1",
    ]
    assert list(Attempt.objects.values_list("url", "status_code")) == [
        (f"{receiver.url}?notificationKey=nk-1", 404),
        (f"{receiver.base}/fixed?notificationKey=nk-1", 200),
    ]
    assert only_delivery().url == f"{receiver.base}/fixed?notificationKey=nk-1"


def test_a_partner_that_removed_its_url_gets_nothing_more(hooked_partner, receiver, store_event):
    store_event(hooked_partner)
    hooked_partner.notification_url = ""
    hooked_partner.save()

    deliver_due()

    assert receiver.requests == []
    delivery = only_delivery()
    assert delivery.status == "failed" and "no notification URL" in delivery.last_error


# --- signing secrets -----------------------------------------------------------------------


def test_during_a_rotation_both_signatures_are_sent_and_either_secret_verifies(
    hooked_partner, receiver, store_event
):
    old = hooked_partner.webhook_secret
    new = signing.rotate_secret(hooked_partner, grace=timedelta(hours=1))
    assert new != old and new.startswith("whsec_")
    store_event(hooked_partner)

    deliver_due()

    [request] = receiver.requests
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    assert request.verify(new) and request.verify(old)
    for secret, alone in ((new, signatures[0]), (old, signatures[1])):
        headers = {**request.headers, "webhook-signature": alone}
        Webhook(secret).verify(request.body, headers)
    with pytest.raises(WebhookVerificationError):  # each signature is its own secret's
        Webhook(old).verify(request.body, {**request.headers, "webhook-signature": signatures[0]})


def test_after_the_grace_period_only_the_new_secret_signs(hooked_partner, receiver, store_event):
    old = hooked_partner.webhook_secret
    new = signing.rotate_secret(hooked_partner, grace=timedelta(hours=1))
    Endpoint.objects.filter(partner=hooked_partner).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    store_event(hooked_partner)

    deliver_due()

    [request] = receiver.requests
    assert " " not in request.headers["webhook-signature"]
    request.verify(new)
    with pytest.raises(WebhookVerificationError):
        request.verify(old)


def test_signatures_match_the_standard_webhooks_reference():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    header = signing.signature_header(
        [secret],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        datetime.fromtimestamp(1614265330, tz=UTC),
        body,
    )
    # The example of the Standard Webhooks specification.
    assert header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_envelope_is_sent_as_compact_json_in_the_specs_order(
    hooked_partner, receiver, store_event
):
    event = store_event(hooked_partner)
    deliver_due()
    body = receiver.requests[0].body
    assert json.loads(body) == event.payload
    assert body.startswith(f'{{"event":"store/update","id":"{event.id}","createdAt":'.encode())
    assert body == json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":")).encode()
