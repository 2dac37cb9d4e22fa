"""SIGTERM on a worker: the job running completes, the jobs it claimed behind it are given back
at once, so no lease is left to run out before another worker may take them."""

import os
import signal

import pytest

from jackpot.vouchers import delivery, jobs
from jackpot.vouchers.models import DeliveryJob, JobKind, JobStatus
from jackpot.worker.loop import run_worker
from support.reservations import reserve


@pytest.fixture
def five_jobs(partner, catalog):
    return [jobs.enqueue(reserve(partner), JobKind.PDF) for _ in range(5)]


# transaction=True: the worker calls close_old_connections(), which drops a connection left
# outside autocommit, as a test wrapped in a transaction is (PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_sigterm_mid_pass_finishes_the_job_running_and_releases_the_others(
    five_jobs, monkeypatch, keep_sigterm_handler
):
    ran = []

    def run_and_get_stopped(job, lease, now):
        ran.append(job.pk)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while this job runs
        delivery._done(job.pk, lease)
        return 1

    monkeypatch.setattr(delivery, "_run", run_and_get_stopped)
    assert run_worker(interval=0.05) == 0

    assert len(ran) == 1
    done = DeliveryJob.objects.get(pk=ran[0])
    assert done.status == JobStatus.DONE and done.lease_token is None
    others = DeliveryJob.objects.exclude(pk=ran[0])
    assert others.count() == 4
    assert all(job.status == JobStatus.PENDING for job in others)
    assert all(job.lease_token is None and job.locked_until is None for job in others)


def test_a_pass_told_to_stop_before_its_first_job_gives_every_claim_back(five_jobs):
    assert delivery.process_due_jobs(should_stop=lambda: True) == 0
    assert not DeliveryJob.objects.filter(lease_token__isnull=False).exists()
    assert DeliveryJob.objects.filter(status=JobStatus.PENDING).count() == 5
