"""Voucher delivery (SPEC §6.4): codes, READY, then mail and SENT; drained by the worker.

At confirmation (`lifecycle.apply`, in the confirmation's transaction) the voucher's codes are
taken and a `pdf` job is written to the `DeliveryJob` outbox (`vouchers.jobs`): a committed
confirmation always has its job, a rolled-back one never does.

`process_due_jobs()` (run by `jackpot worker`) claims due jobs under a lease (`core.leases`, the
same design as webhook deliveries: a token and `locked_until`, claimed with `SELECT … FOR UPDATE
SKIP LOCKED` on PostgreSQL, so several workers share the work; a job's outcome is written only by
the holder of its token), then:

- **pdf** (its historical name: the PDF is no longer made here): under the voucher's row lock,
  takes the codes if it has none yet (pool empty at confirmation) and moves the voucher to READY
  (`coupon/ready`), in one transaction; with the partner's `sending_enabled` and the voucher's
  `email` it writes a `mail` job in that same transaction. The PDF is not drawn nor stored: it is
  drawn from the voucher and its codes whenever asked (`vouchers.rendering`), so READY only needs
  the codes. A pool that still cannot cover the value leaves the voucher CONFIRMED "awaiting
  codes": the job waits `AWAITING_CODES_RETRY` seconds (not counted as a failure), and an import
  of codes for the store makes it due at once.
- **mail**: outside any transaction, draws the PDF and mails it (`vouchers.mail`), then moves the
  voucher to SENT with `sendDate` (`coupon/sent`). A failure is retried with exponential backoff
  and jitter (1 min, 2, 4, … capped at 6 h; `MAX_ATTEMPTS` tries, about a day), then the job is
  `failed` and the voucher stays READY (its `url` still works). Delivery is at least once: a
  worker killed between the mail and its bookkeeping mails again when the lease runs out.
"""

import logging
import random
import time
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jackpot.core import leases
from jackpot.core.metrics import WORKER_JOBS
from jackpot.core.problems import Problem
from jackpot.vouchers import jobs, lifecycle, mail, rendering
from jackpot.vouchers.codes import pool
from jackpot.vouchers.models import DeliveryJob, JobKind, JobStatus, State, Voucher

log = logging.getLogger("jackpot.delivery")

LEASE = timedelta(minutes=5)
AWAITING_CODES_RETRY = timedelta(minutes=5)
MAX_ATTEMPTS = 12
BACKOFF_BASE = 60.0  # seconds
BACKOFF_CAP = 6 * 3600.0


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 1 min doubling, 6 h cap, ±20 %."""
    delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not crypto


def process_due_jobs(now=None, limit: int = 50, should_stop=None) -> int:
    """Run the due delivery jobs once each; returns how many finished (PDF made, mail sent).

    `should_stop` is asked before each job: once it says so (the worker got SIGTERM), the jobs
    claimed but not started are released at once rather than left to their lease's end.
    """
    now = now or timezone.now()
    finished = 0
    claimed = _claim(now, limit)
    for n, (job_id, lease) in enumerate(claimed):
        if should_stop is not None and should_stop():
            left = leases.release(_pending(), [pk for pk, _ in claimed[n:]], lease)
            log.info("stopping: %d claimed delivery job(s) released", left)
            break
        finished += _handle(job_id, lease, now)
    return finished


def _handle(job_id: int, lease: uuid.UUID, now) -> int:
    """Run one claimed job, count it and log it (kind, id, outcome, time, the request's id)."""
    started = time.perf_counter()
    job = _mine(job_id, lease).first()
    if job is None:
        return 0
    try:
        finished = _run(job, lease, now)
        outcome = "done" if finished else "deferred"
    except Exception as exc:  # noqa: BLE001 - one job's bug must not stop the others
        log.exception("delivery job %s failed", job_id)
        _failed(job_id, lease, now, exc)
        finished, outcome = 0, "error"
    WORKER_JOBS.labels(job.kind, outcome).inc()
    log.info(
        "%s job %s of voucher %s: %s",
        job.kind,
        job.pk,
        job.voucher_id,
        outcome,
        extra={
            "kind": job.kind,
            "id": job.pk,
            "outcome": outcome,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": job.request_id,
        },
    )
    return finished


def _claim(now, limit: int) -> list[tuple[int, uuid.UUID]]:
    """Lease up to `limit` due jobs to this pass (`core.leases`); the lease runs from `now`."""
    lease = leases.new(now, LEASE)
    due = DeliveryJob.objects.filter(status=JobStatus.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        ids = leases.claim(due.order_by("next_attempt_at", "pk"), now, lease, limit, updated_at=now)
    return [(job_id, lease.token) for job_id in ids]


def _pending():
    return DeliveryJob.objects.filter(status=JobStatus.PENDING)


def _mine(job_id: int, lease: uuid.UUID):
    """The job, only while this worker still holds its lease."""
    return leases.held(_pending(), job_id, lease)


def _done(job_id: int, lease: uuid.UUID, note: str = "") -> None:
    now = timezone.now()
    leases.finish(
        _pending(),
        job_id,
        lease,
        status=JobStatus.DONE,
        done_at=now,
        updated_at=now,
        last_error=note[:300],
    )


def _later(job_id: int, lease: uuid.UUID, when, note: str) -> None:
    leases.finish(
        _pending(),
        job_id,
        lease,
        next_attempt_at=when,
        last_error=note[:300],
        updated_at=timezone.now(),
    )


def _failed(job_id: int, lease: uuid.UUID, now, exc: BaseException) -> None:
    job = _mine(job_id, lease).first()
    if job is None:
        return
    attempts = job.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:300]
    if attempts >= MAX_ATTEMPTS:
        log.error(
            "%s job of voucher %s gave up after %d tries: %s",
            job.kind,
            job.voucher_id,
            attempts,
            error,
        )
        leases.finish(
            _pending(),
            job_id,
            lease,
            status=JobStatus.FAILED,
            attempts=attempts,
            last_error=error,
            updated_at=timezone.now(),
        )
        return
    leases.finish(
        _pending(),
        job_id,
        lease,
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        last_error=error,
        updated_at=timezone.now(),
    )


def _run(job: DeliveryJob, lease, now) -> int:
    if job.kind == JobKind.PDF:
        return _make_ready(job, lease, now)
    return _send_mail(job, lease, now)


def _make_ready(job: DeliveryJob, lease, now) -> int:
    """Codes (if the confirmation found none), then READY: no PDF is drawn here."""
    with transaction.atomic():
        voucher = lifecycle.lock(job.voucher_id)
        if voucher.state != State.CONFIRMED:
            _done(job.pk, lease, f"nothing to do: the voucher is {voucher.state}")
            return 0
        if not pool.take_for(voucher):
            _later(job.pk, lease, now + AWAITING_CODES_RETRY, "awaiting codes")
            return 0
        lifecycle.apply(voucher, "deliver", "worker")
        if voucher.partner.sending_enabled and voucher.email:
            # It was CONFIRMED under its row lock: no mail job was written for it before.
            jobs.enqueue(voucher, JobKind.MAIL, first_time=True)
        _done(job.pk, lease)
    return 1


def _send_mail(job: DeliveryJob, lease, now) -> int:
    voucher = Voucher.objects.select_related("partner", "store").get(pk=job.voucher_id)
    if voucher.state != State.READY:
        _done(job.pk, lease, f"not sent: the voucher is {voucher.state}")
        return 0
    if not voucher.email:
        _done(job.pk, lease, "not sent: no address")
        return 0
    try:
        sheet = rendering.sheet(voucher)
        mail.send_voucher(voucher, rendering.render(voucher, sheet), sheet)
    except Exception as exc:  # noqa: BLE001 - SMTP errors, timeouts, refused connections
        log.warning("mail of voucher %s failed: %s", voucher.pk, exc)
        _failed(job.pk, lease, now, exc)
        return 0
    try:
        lifecycle.transition(voucher.pk, "send", "worker")
    except Problem as exc:  # e.g. a refund was asked meanwhile: the mail went, the state stays
        log.info("voucher %s mailed but not moved to SENT: %s", voucher.pk, exc.detail)
    _done(job.pk, lease)
    return 1
