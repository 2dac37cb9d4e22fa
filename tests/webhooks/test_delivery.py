"""Webhook delivery (SPEC §8) against a real HTTP receiver on loopback: the signed envelope, its
URL and headers, what counts as a failure, and a 410 that disables the endpoint.

Every delivery is checked with standardwebhooks' own verifier, as a partner would check it. The
worker's delivery function is driven directly: one call of `deliver_due()` attempts each due
delivery once.
"""

import socket
import threading

import pytest
from django.db import connection
from django.utils import timezone

from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Attempt, Delivery, Endpoint, OutboxEvent
from jackpot.webhooks.services import ResendError, enable_endpoint, resend, resend_failed
from support.waiting import wait_for

pytestmark = pytest.mark.django_db


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
        "livemode": True,
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
    delivery = Delivery.objects.get()
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
    assert Delivery.objects.get().status == "delivered"


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


def test_a_redirect_is_a_failure_and_is_not_followed(hooked_partner, receiver, store_event):
    receiver.answer((302, {"Location": f"{receiver.base}/elsewhere"}))
    store_event(hooked_partner)

    deliver_due()

    assert [r.path.split("?")[0] for r in receiver.requests] == ["/hooks"]
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert "redirect not followed" in delivery.last_error


def test_a_timeout_is_a_failure(hooked_partner, receiver, monkeypatch, store_event):
    monkeypatch.setenv("JACKPOT_WEBHOOK_TIMEOUT", "0.2")
    receiver.delay = 1.0
    store_event(hooked_partner)

    deliver_due()

    delivery = Delivery.objects.get()
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

    delivery = Delivery.objects.get()
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

    delivery = Delivery.objects.get()
    assert (delivery.last_status_code, delivery.status) == (code, status)


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
