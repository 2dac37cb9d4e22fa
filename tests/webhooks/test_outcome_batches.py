"""Recording a batch of webhook outcomes (issue 18): a handful of statements for the batch,
whatever its size, each delivery still getting its own outcome, and a lost lease still dropping
only its own.

One statement a delivery (the lease-guarded UPDATE, the confirmation callback's savepoint and
read) held one worker to a few dozen deliveries a second on a busy database; the soak in
bench/README.md ("Issue 18") shows the worker keeping up once the batch is written at once.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jackpot.vouchers import notification_confirmation
from jackpot.webhooks import claiming, outcomes
from jackpot.webhooks.delivery import KeptClient
from jackpot.webhooks.models import Attempt, Delivery
from jackpot.webhooks.sending import Response

pytestmark = pytest.mark.django_db


def claimed(write_event, partner, count: int, event: str = "store/update"):
    """`count` deliveries written (each with its notificationKey) and leased, as jobs."""
    for n in range(count):
        write_event(partner, n, event=event, key=f"key-{n}")
    now = timezone.now()
    jobs, disabled = claiming.claim(now, now, count)
    assert len(jobs) == count and not disabled
    return jobs


def answered(jobs, *codes):
    """Each job with a response: the codes in turn (None: a timeout)."""
    now = timezone.now()
    return [
        (
            job,
            Response(now, 5, code, "" if code and code < 300 else f"HTTP {code}")
            if code
            else Response(now, 15000, error="timeout after 15 s (ReadTimeout)"),
        )
        for job, code in zip(jobs, codes * len(jobs), strict=False)
    ]


def statements(results, on_outcome=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        outcomes.record(results, timezone.now(), on_outcome)
    return len(queries)


def test_a_batch_costs_the_same_statements_whatever_its_size(
    make_partner, monkeypatch, store_event
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5,30")
    partner = make_partner("acme", notification_url="http://127.0.0.1:9/hooks")
    small = statements(answered(claimed(store_event, partner, 2), 200, 500))
    big = statements(answered(claimed(store_event, partner, 12), 200, 500))

    assert big == small
    assert small <= 6  # the transaction, the attempts, the rows still held, their outcomes


def test_each_delivery_of_a_batch_gets_its_own_outcome(make_partner, monkeypatch, store_event):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "5")
    partner = make_partner("acme", notification_url="http://127.0.0.1:9/hooks")
    jobs = claimed(store_event, partner, 3)
    before = timezone.now()
    reported = []
    callback = reported.append
    outcomes.record(answered(jobs, 204, 503, None), before, callback)

    rows = {d.pk: d for d in Delivery.objects.all()}
    delivered, retried, timed_out = (rows[job.delivery_id] for job in jobs)
    assert (delivered.status, delivered.last_status_code, delivered.last_error) == (
        "delivered",
        204,
        "",
    )
    assert delivered.delivered_at is not None and delivered.schedule_step == 0
    assert (retried.status, retried.last_status_code, retried.last_error) == (
        "pending",
        503,
        "HTTP 503",
    )
    assert retried.schedule_step == 1 and retried.delivered_at is None
    waited = retried.next_attempt_at - before
    assert timedelta(seconds=3.9) <= waited <= timedelta(seconds=6)  # 5 s ± 20 %
    assert timed_out.schedule_step == 1 and timed_out.last_status_code is None
    assert timed_out.last_error.startswith("timeout")
    for row, job in zip((delivered, retried, timed_out), jobs, strict=True):
        assert row.attempts == 1 and row.lease_token is None and row.locked_until is None
        assert row.url == job.url  # each its own notificationKey, untouched
    assert [o.delivery_id for o in reported] == [job.delivery_id for job in jobs]
    assert Attempt.objects.count() == 3


def test_a_lost_lease_drops_only_that_deliverys_outcome(make_partner, store_event):
    partner = make_partner("acme", notification_url="http://127.0.0.1:9/hooks")
    jobs = claimed(store_event, partner, 3)
    lost = jobs[1]
    # Its lease ran out and another worker claimed it again.
    Delivery.objects.filter(pk=lost.delivery_id).update(lease_token=uuid.uuid4())
    reported = []

    outcomes.record(answered(jobs, 200), timezone.now(), reported.append)

    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses[lost.delivery_id] == "pending"
    assert Delivery.objects.get(pk=lost.delivery_id).attempts == 0
    assert [statuses[j.delivery_id] for j in (jobs[0], jobs[2])] == ["delivered", "delivered"]
    assert {o.delivery_id for o in reported} == {jobs[0].delivery_id, jobs[2].delivery_id}
    assert Attempt.objects.count() == 3  # the lost one's attempt is still logged


def test_coupon_reserved_of_a_partner_confirming_by_hand_costs_one_read_a_batch(
    make_partner, store_event
):
    """The confirmation callback reads the batch's vouchers once, and opens a savepoint only for
    a voucher it would confirm: none here (the partner confirms by hand)."""
    partner = make_partner(
        "acme", notification_url="http://127.0.0.1:9/hooks", confirmation_mode="manual"
    )
    callback = notification_confirmation.on_delivery_outcome
    small = statements(answered(claimed(store_event, partner, 2, "coupon/reserved"), 200), callback)
    big = statements(answered(claimed(store_event, partner, 12, "coupon/reserved"), 200), callback)

    assert big == small


def test_the_worker_keeps_its_http_client_between_passes(monkeypatch):
    kept = KeptClient()
    try:
        first = kept.get()
        assert kept.get() is first
        monkeypatch.setenv("JACKPOT_WEBHOOK_TIMEOUT", "3")
        changed = kept.get()
        assert changed is not first and first.is_closed
        assert changed.timeout.read == 3
    finally:
        kept.close()
