"""The delivery log's retention (webhooks/retention.py): delivered webhooks go after 30 days
with their attempts and envelope, failed and disabled ones after 90, pending ones never."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from jackpot.core.pruning import Budget, batch
from jackpot.webhooks import outbox, retention
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Attempt, Delivery, DeliveryStatus, OutboxEvent
from jackpot.webhooks.services import resend
from support.indexes import index_on

pytestmark = pytest.mark.django_db


def days_on(days: float):
    """The clock `days` from now: what a prune run then would find past its retention."""
    return timezone.now() + timedelta(days=days)


def age(queryset, days: float) -> None:
    """Make rows look `days` older, as if they had been delivered (or failed) back then."""
    back = timedelta(days=days)
    queryset.update(updated_at=F("updated_at") - back, next_attempt_at=F("next_attempt_at") - back)


def test_a_delivered_webhook_goes_after_30_days_with_its_attempts_and_envelope(
    hooked_partner, store_event
):
    event = store_event(hooked_partner)
    deliver_due()
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED

    assert retention.prune_deliveries(days_on(29)) == 0
    assert Attempt.objects.count() == 1

    assert retention.prune_deliveries(days_on(31)) == 1
    assert not Delivery.objects.exists()
    assert not Attempt.objects.exists()
    assert not OutboxEvent.objects.filter(pk=event.pk).exists()


def test_a_pending_delivery_is_never_pruned_however_old(
    hooked_partner, receiver, store_event, monkeypatch
):
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "3600")
    store_event(hooked_partner)
    receiver.answer(500)
    deliver_due()
    age(Delivery.objects.all(), 1000)

    assert retention.prune_deliveries(days_on(1000)) == 0
    assert retention.prune_unsent_events(days_on(1000)) == 0
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert Attempt.objects.count() == 1 and OutboxEvent.objects.count() == 1


def test_failed_deliveries_stay_90_days_for_the_partner_to_resend(failed_twice):
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}

    assert retention.prune_deliveries(days_on(89)) == 0
    assert retention.prune_deliveries(days_on(91)) == 2
    assert not OutboxEvent.objects.exists() and not Attempt.objects.exists()


def test_disabled_deliveries_stay_90_days_too(hooked_partner, receiver, store_event):
    receiver.answer(410)
    store_event(hooked_partner)
    deliver_due()
    store_event(hooked_partner)  # written while the endpoint is disabled: set aside
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DISABLED}

    assert retention.prune_deliveries(days_on(89)) == 0
    assert retention.prune_deliveries(days_on(91)) == 2


def test_a_resent_delivery_counts_its_days_from_the_resend(hooked_partner, store_event):
    store_event(hooked_partner)
    kept = store_event(hooked_partner)
    deliver_due()
    age(Delivery.objects.all(), 40)

    resend(Delivery.objects.get(event=kept).pk)  # the partner asked for it again
    assert retention.prune_deliveries(timezone.now()) == 1  # the other one, delivered long ago
    deliver_due()

    assert retention.prune_deliveries(timezone.now()) == 0
    assert Delivery.objects.get().event_id == kept.pk
    assert Attempt.objects.filter(delivery__event=kept).count() == 2


def test_an_envelope_sent_to_nobody_stays_as_long_as_failed_ones(make_partner, store_event):
    silent = make_partner("acme")  # no notification URL: the envelope alone is written
    event = store_event(silent)
    assert not Delivery.objects.exists()

    assert retention.prune_unsent_events(days_on(89)) == 0
    assert retention.prune_unsent_events(days_on(91)) == 1
    assert not OutboxEvent.objects.filter(pk=event.pk).exists()


def test_a_retention_under_a_day_is_refused(hooked_partner, store_event, settings):
    settings.JACKPOT_WEBHOOK_RETENTION_DAYS = 0
    with pytest.raises(ImproperlyConfigured, match="JACKPOT_WEBHOOK_RETENTION_DAYS"):
        retention.prune_deliveries(timezone.now())


def test_pending_deliveries_cannot_be_asked_for():
    with pytest.raises(ValueError, match="never pruned"):
        retention.prunable_deliveries(DeliveryStatus.PENDING, timezone.now())


@pytest.mark.postgres
@pytest.mark.parametrize("status", list(retention.KEPT_DAYS))
def test_each_batch_of_deliveries_is_read_through_an_index_of_finished_deliveries(status):
    """Through the claims' `delivery_due`, or for failed and disabled ones the admin's partial
    `delivery_failed` (which holds only those): the planner weighs the two on its statistics,
    and either keeps a batch's cost to the candidates, never the whole log."""
    from support.explain import assert_uses_index, plan

    text = plan(batch(retention.prunable_deliveries(status, timezone.now()), 1000))
    usable = {"delivery_due"} | (
        {"delivery_failed"} if status != DeliveryStatus.DELIVERED else set()
    )
    assert any(name in text for name in usable), f"expected one of {usable}:\n{text}"
    assert "Seq Scan" not in text, text
    attempts = Attempt.objects.filter(delivery_id__in=[1, 2])
    assert_uses_index(attempts, index_on(Attempt, "delivery_id"))


@pytest.mark.postgres
def test_envelopes_sent_to_nobody_are_read_through_indexes_only():
    from support.explain import assert_uses_index

    plan = assert_uses_index(
        batch(retention.unsent_events(timezone.now()), 1000), index_on(OutboxEvent, "created_at")
    )
    assert index_on(Delivery, "event_id") in plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pruning_beside_a_delivering_worker_loses_no_webhook(hooked_partner, receiver, monkeypatch):
    """A worker claims, sends, retries and records while another prunes in small batches with
    every delivered row already past its retention: each webhook still arrives."""
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0")
    monkeypatch.setenv("JACKPOT_WEBHOOK_CONCURRENCY", "8")
    count = 150
    with transaction.atomic():
        expected = {
            str(outbox.enqueue(hooked_partner, "store/update", store_id="s", data={"n": n}).id)
            for n in range(count)
        }
    answers = [500 if n % 3 == 0 else 200 for n in range(count)]  # a third go round again
    receiver.answer(*answers)
    receiver.delay = 0.005
    delivering = threading.Event()
    delivering.set()
    pruned_meanwhile = []

    def deliver():
        try:
            deadline = time.monotonic() + 60
            while (
                time.monotonic() < deadline
                and Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
            ):
                deliver_due()
        finally:
            delivering.clear()
            connections.close_all()

    def prune():
        try:
            while delivering.is_set():
                deleted = retention.prune_deliveries(days_on(31), Budget(batch_size=5))
                if deleted and delivering.is_set():
                    pruned_meanwhile.append(deleted)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver), threading.Thread(target=prune)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)

    assert not delivering.is_set(), "the worker did not finish"
    assert pruned_meanwhile, "nothing was pruned while the worker delivered"
    statuses = answers + [200] * (len(receiver.requests) - len(answers))
    answered = {r.webhook_id for r, s in zip(receiver.requests, statuses, strict=True) if s == 200}
    assert answered == expected  # every webhook reached the partner with a 2xx
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
    retention.prune_deliveries(days_on(31))
    assert not Delivery.objects.exists() and not OutboxEvent.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_another_transaction_holds_is_skipped_not_waited_for(
    hooked_partner, store_event
):
    for _ in range(3):
        store_event(hooked_partner)
    deliver_due()
    held_pk = Delivery.objects.order_by("pk").values_list("pk", flat=True)[1]
    locked, release = threading.Event(), threading.Event()

    def hold():  # e.g. an operator's re-send, between its row lock and its commit
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=held_pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        # Waiting for the lock would have outlasted the holder (30 s), then deleted its row.
        assert retention.prune_deliveries(days_on(31)) == 2
    finally:
        release.set()
        holder.join(30)
    assert list(Delivery.objects.values_list("pk", flat=True)) == [held_pk]
