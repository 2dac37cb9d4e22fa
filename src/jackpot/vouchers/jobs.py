"""The voucher-delivery outbox: PDF and mail jobs, written in the transaction of the change that
calls for them (a confirmation, a PDF made), drained by the worker (`vouchers.delivery`).

Like the webhook outbox, a job row exists exactly when the change that calls for it committed.
"""

from django.utils import timezone

from jackpot.core import request_context
from jackpot.core.compiled import insert
from jackpot.vouchers.models import DeliveryJob, Voucher


def enqueue(voucher: Voucher, kind: str, now=None, first_time: bool = False) -> DeliveryJob:
    """Write a job for the voucher (once per kind), inside the caller's transaction.

    `first_time`: the caller knows the voucher has no such job yet, so it is written without
    looking for it (the unique constraint still holds the rule).
    """
    now = now or timezone.now()
    fields = {
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
        "request_id": request_context.current(),
    }
    if first_time:
        return insert(DeliveryJob(voucher=voucher, kind=kind, **fields))
    job, _ = DeliveryJob.objects.get_or_create(voucher=voucher, kind=kind, defaults=fields)
    return job
