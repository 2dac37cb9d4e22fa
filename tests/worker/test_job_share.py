"""The worker's share between its queues: after the webhook step, the delivery jobs get as much
time as it took, batch after batch, instead of one batch of 50 a pass (which let a worker busy
with webhooks fall behind the confirmations: bench/README.md, "Soak")."""

import pytest

from jackpot.vouchers import delivery
from jackpot.vouchers.models import State, Voucher
from jackpot.worker import loop
from support.reservations import reserve


def batches(monkeypatch, sizes: list[int]) -> list[int]:
    """process_due_jobs stood in for: each call finishes the next size; the calls made."""
    calls = []

    def fake(should_stop=None, **_):
        calls.append(len(calls))
        return sizes[len(calls) - 1] if len(calls) <= len(sizes) else 0

    monkeypatch.setattr(delivery, "process_due_jobs", fake)
    return calls


def test_jobs_run_batch_after_batch_until_none_is_due(monkeypatch):
    calls = batches(monkeypatch, [50, 50, 20])
    assert loop.run_jobs(60.0, lambda: False) == 120
    assert len(calls) == 4  # the fourth found nothing due


def test_at_least_one_batch_runs_even_when_the_webhooks_took_no_time(monkeypatch):
    calls = batches(monkeypatch, [50, 50, 50])
    assert loop.run_jobs(0.0, lambda: False) == 50
    assert len(calls) == 1


def test_a_stopping_worker_starts_no_further_batch(monkeypatch):
    calls = batches(monkeypatch, [50, 50, 50])
    assert loop.run_jobs(60.0, lambda: True) == 50
    assert len(calls) == 1


@pytest.mark.django_db
def test_more_confirmed_vouchers_than_a_batch_are_all_made_ready_in_one_share(partner, catalog):
    vouchers = [reserve(partner) for _ in range(60)]  # confirmed at once: one job each
    assert all(v.state == State.CONFIRMED for v in vouchers)
    assert loop.run_jobs(600.0, lambda: False) == 60
    assert Voucher.objects.filter(state=State.READY).count() == 60
