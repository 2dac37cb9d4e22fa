"""One lease design for every queue the worker drains (`core.leases`).

What workers rely on: a row held by a live lease is not claimed again; a lease that ran out (its
worker was killed) is taken over; and only the current holder's outcome is written, so a worker
that lost its lease cannot overwrite the one that took over.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jackpot.core import leases
from jackpot.webhooks import outbox
from jackpot.webhooks.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

LEASE = timedelta(minutes=1)


@pytest.fixture
def rows(make_partner):
    """Three due rows of a leased queue (webhook deliveries here; the module knows no model)."""
    partner = make_partner("acme", notification_url="https://hooks.acme.example/jackpot")
    with transaction.atomic():
        for n in range(3):
            outbox.enqueue(partner, "store/update", store_id="s", data={"n": n})
    return Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("pk")


def claim(rows, now, limit=10):
    lease = leases.new(now, LEASE)
    with transaction.atomic():
        return lease, leases.claim(rows, now, lease, limit)


def test_a_row_held_by_a_live_lease_is_not_claimed_again(rows):
    now = timezone.now()
    first, taken = claim(rows, now, limit=2)
    assert len(taken) == 2

    second, more = claim(rows, now + LEASE / 2)  # another worker, while the lease holds

    assert len(more) == 1 and not set(more) & set(taken)
    held = Delivery.objects.get(pk=taken[0])
    assert held.lease_token == first.token and held.locked_until == first.until
    assert leases.holds(held, now + LEASE / 2) and not leases.holds(held, now + LEASE * 2)


def test_a_lease_that_ran_out_is_taken_over(rows):
    now = timezone.now()
    killed, taken = claim(rows, now)

    later = now + LEASE + timedelta(seconds=1)  # its worker died: nobody finished the rows
    successor, again = claim(rows, later)

    assert again == taken
    assert set(Delivery.objects.values_list("lease_token", flat=True)) == {successor.token}


def test_finishing_with_a_stale_token_changes_nothing(rows):
    now = timezone.now()
    stale, [pk, *_] = claim(rows, now)
    current, _ = claim(rows, now + LEASE + timedelta(seconds=1))

    assert not leases.finish(rows, pk, stale.token, status=DeliveryStatus.DELIVERED)
    row = Delivery.objects.get(pk=pk)
    assert row.status == DeliveryStatus.PENDING and row.lease_token == current.token

    assert leases.finish(rows, pk, current.token, status=DeliveryStatus.DELIVERED)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED
    assert row.lease_token is None and row.locked_until is None


def test_a_finished_row_is_free_for_the_next_claim(rows):
    now = timezone.now()
    lease, [pk, *_] = claim(rows, now, limit=1)
    leases.finish(rows, pk, lease.token)  # e.g. retried later: back in the queue

    _, again = claim(rows, now, limit=1)

    assert again == [pk]
