"""How long the voucher side keeps its work rows (README, "Data kept and for how long").

Vouchers, their journal, statements and the ledger are the platform's accounts: never pruned.
What is pruned here is the work done around them, once it can no longer be needed:

- a PDF or mail **job** that is done, or failed for good, goes `JACKPOT_JOB_RETENTION_DAYS`
  (30) after its last change; a pending one (waiting for its next try, for codes, or leased
  by a worker) is never pruned. A job is written once per voucher and kind, when the voucher's
  state calls for it, so a pruned job is never written again;
- a **session** goes `JACKPOT_SESSION_RETENTION_DAYS` (30) after it expired (a session that
  reserved was closed earlier still: it expires on the same clock), unless its voucher is still
  RESERVED (a notification-mode confirmation reads the session's `forceManualConfirm`). The
  voucher forgets it (`session` set to null); until then the session's credential may still
  read the voucher it reserved, afterwards it answers 401 like any unknown credential.

Candidates are read through the indexes the worker already has: `delivery_job_due` (status,
next_attempt_at) for jobs (a finished job's `next_attempt_at` is no later than its last change,
which is checked as well) and `expires_at` for sessions.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from jackpot.core.pruning import UNTIL_DONE, Budget, cutoff, delete_in_batches
from jackpot.tokens.models import Session
from jackpot.vouchers.models import DeliveryJob, JobStatus, State, Voucher

FINISHED_JOBS = (JobStatus.DONE, JobStatus.FAILED)


def prunable_jobs(status: str, before: datetime) -> QuerySet:
    """Jobs of a final `status` left unchanged since `before`, the oldest first."""
    if status not in FINISHED_JOBS:
        raise ValueError(f"{status!r} jobs are never pruned")
    return DeliveryJob.objects.filter(
        status=status, next_attempt_at__lt=before, updated_at__lt=before
    ).order_by("next_attempt_at")


def prunable_sessions(before: datetime) -> QuerySet:
    """Sessions expired before `before` whose voucher, if any, is no longer RESERVED."""
    reserved = Voucher.objects.filter(session=OuterRef("pk"), state=State.RESERVED)
    return (
        Session.objects.filter(expires_at__lt=before)
        .exclude(Exists(reserved))
        .order_by("expires_at")
    )


def prune_jobs(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    before = cutoff(now, "JACKPOT_JOB_RETENTION_DAYS")
    return sum(delete_in_batches(prunable_jobs(s, before), budget) for s in FINISHED_JOBS)


def prune_sessions(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    return delete_in_batches(
        prunable_sessions(cutoff(now, "JACKPOT_SESSION_RETENTION_DAYS")), budget
    )
