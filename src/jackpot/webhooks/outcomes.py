"""What an attempt comes to (SPEC §8): the retry schedule, the delivery log, the outcome report.

Whatever has completed is recorded in one transaction: an `Attempt` row each (the delivery log
the portal and the backoffice show), each delivery's new status — only where this worker still
holds the lease (`core.leases.finish`) — and the caller's `on_outcome` callback, which runs in
that same transaction (in a savepoint) so that what it does, such as confirming a voucher,
commits together with "delivered" or not at all.

Outcomes: a 2xx answer delivers; 410 Gone disables the partner's endpoint (no more deliveries
until it is re-enabled); a refused address fails at once; anything else (other statuses, 3xx
included, timeouts, connection errors) is retried after the next step of the retry schedule, with
jitter, or after `Retry-After` when that is longer (capped at a day), and fails once the schedule
is used up.
"""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from jackpot.core import leases
from jackpot.core.metrics import WORKER_JOBS
from jackpot.webhooks import config
from jackpot.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from jackpot.webhooks.sending import Job, Response

log = logging.getLogger("jackpot.webhooks")


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to, as reported to the worker's callback."""

    delivery_id: int
    event_id: str
    event: str
    partner_id: str
    payload: dict  # the SPEC §8 envelope
    status: str  # the delivery's status after the attempt (a DeliveryStatus value)
    status_code: int | None
    error: str

    @property
    def delivered(self) -> bool:
        return self.status == DeliveryStatus.DELIVERED

    @property
    def final(self) -> bool:
        """True when no further attempt will be made (without a re-send)."""
        return self.status != DeliveryStatus.PENDING


# Called with every outcome, in a savepoint of the recording transaction. A callback may carry
# `events`, the events it reacts to: the others are not reported to it, and cost no savepoint
# (two round trips a delivery, for a callback that would only return); and `relevant`, a read
# of the batch's outcomes that keeps those it would act on (`_report_all`).
OutcomeCallback = Callable[[Outcome], None]


def retry_delay(step: int, retry_after: float | None = None) -> float | None:
    """Seconds before the attempt following failure number `step` (from 1); None: give up."""
    schedule = config.retry_schedule()
    if step > len(schedule):
        return None
    base = schedule[step - 1]
    delay = base * random.uniform(1 - config.JITTER, 1 + config.JITTER)  # noqa: S311 - jitter
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, config.MAX_DELAY)


def _decide(job: Job, response: Response, clock: datetime, now: datetime) -> dict:
    """The delivery's new fields after `response`."""
    code = response.status_code
    if code is not None and 200 <= code < 300:
        return {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    if code == 410:
        return {"status": DeliveryStatus.DISABLED}
    if response.refused:
        return {"status": DeliveryStatus.FAILED}
    step = job.schedule_step + 1
    delay = retry_delay(step, response.retry_after)
    if delay is None:
        return {"status": DeliveryStatus.FAILED, "schedule_step": step}
    return {
        "status": DeliveryStatus.PENDING,
        "schedule_step": step,
        "next_attempt_at": clock + timedelta(seconds=delay),
    }


def disable_endpoint(partner_id: str, reason: str, now: datetime | None = None) -> Endpoint:
    """Stop delivering to a partner: its endpoint is disabled, its waiting deliveries too.

    Deliveries in flight (leased by a worker) record their own outcome; later claims see the
    disabled endpoint and set them aside.
    """
    now = now or timezone.now()
    endpoint, _ = Endpoint.objects.select_for_update().get_or_create(partner_id=partner_id)
    if endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = reason[:300]
        endpoint.save(update_fields=["disabled_at", "disabled_reason"])
        log.warning("webhook endpoint of %s disabled: %s", partner_id, reason)
    Delivery.objects.filter(partner_id=partner_id, status=DeliveryStatus.PENDING).filter(
        leases.free(now)
    ).update(status=DeliveryStatus.DISABLED, last_error="endpoint disabled", updated_at=now)
    return endpoint


def _report(on_outcome: OutcomeCallback | None, outcome: Outcome) -> None:
    try:
        with transaction.atomic():  # a savepoint: a failing callback undoes only its own work
            on_outcome(outcome)
    except Exception:
        log.exception("outcome callback failed for delivery %s", outcome.delivery_id)


def _report_all(on_outcome: OutcomeCallback | None, outcomes: list[Outcome]) -> None:
    """Each outcome of the callback's `events` to the callback, in a savepoint of its own.

    A callback may also carry `relevant(outcomes)`, a read that picks, in one statement for the
    batch, the outcomes it would act on: the others cost no savepoint and no read of their own.
    If that read fails, every outcome is reported as without it.
    """
    if on_outcome is None:
        return
    events = getattr(on_outcome, "events", None)
    wanted = [o for o in outcomes if events is None or o.event in events]
    relevant = getattr(on_outcome, "relevant", None)
    if wanted and relevant is not None:
        try:
            with transaction.atomic():
                wanted = relevant(wanted)
        except Exception:
            log.exception("outcome callback's selection failed; reporting each outcome")
    for outcome in wanted:
        _report(on_outcome, outcome)


_KEEP = object()  # a row with nothing to write to a column


def _columns(changes: dict[int, dict]) -> dict:
    """One UPDATE's assignments for rows each with its own new values: a plain value where
    every row gets the same, else a CASE on the primary key (the column kept where a row has
    nothing to write)."""
    fields = {name for row in changes.values() for name in row}
    columns = {}
    for name in sorted(fields):
        values = [row.get(name, _KEEP) for row in changes.values()]
        if _KEEP not in values and all(v == values[0] for v in values):
            columns[name] = values[0]
            continue
        field = Delivery._meta.get_field(name)
        whens = [
            When(pk=pk, then=Value(row[name], output_field=field))
            for pk, row in changes.items()
            if name in row
        ]
        columns[name] = Case(*whens, default=F(name), output_field=field)
    return columns


def record_rows(
    results: list[tuple[Job, Response]], clock: datetime, on_outcome: OutcomeCallback | None
) -> list[Outcome]:
    """Log attempts and new statuses, report outcomes; run inside a transaction.

    A handful of statements for the whole batch, whatever its size: the attempts inserted, the
    rows still held read (and locked), their outcomes written by one UPDATE, then the callback.
    One round trip a delivery was what held a worker to a few dozen deliveries a second on a
    busy database (bench/README.md, "Issue 18").
    """
    now = timezone.now()
    outcomes = []
    Attempt.objects.bulk_create(
        [
            Attempt(
                delivery_id=job.delivery_id,
                number=job.number,
                url=job.url,
                started_at=response.started_at,
                duration_ms=response.duration_ms,
                status_code=response.status_code,
                error=response.error,
                response_excerpt=response.excerpt,
            )
            for job, response in results
        ]
    )
    held = leases.still_held(
        Delivery.objects.all(), {job.delivery_id: job.token for job, _ in results}
    )
    decided = {}
    for job, response in results:
        if job.delivery_id not in held:
            log.warning("lease on delivery %s lost; attempt logged only", job.delivery_id)
            continue
        fields = _decide(job, response, clock, now)
        decided[job.delivery_id] = (job, response, fields)
    if decided:
        changes = {
            pk: {
                "last_status_code": response.status_code,
                "last_error": response.error,
                **({"url": job.url} if job.url and job.url != job.stored_url else {}),
                **fields,
            }
            for pk, (job, response, fields) in decided.items()
        }
        leases.finish_held(
            Delivery.objects.all(),
            list(decided),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            updated_at=now,
            **_columns(changes),
        )
    for job, response, fields in decided.values():
        WORKER_JOBS.labels("webhook", fields["status"]).inc()
        log.info(
            "webhook delivery %s (%s): %s",
            job.delivery_id,
            job.event,
            fields["status"],
            extra={
                "kind": "webhook",
                "id": job.delivery_id,
                "outcome": fields["status"],
                "status_code": response.status_code,
                "duration_ms": response.duration_ms,
                "request_id": job.request_id,
            },
        )
        if fields["status"] == DeliveryStatus.DISABLED:
            disable_endpoint(job.partner_id, f"{job.url} answered 410 Gone", now)
        elif fields["status"] == DeliveryStatus.FAILED:
            log.warning("delivery %s failed for good: %s", job.delivery_id, response.error)
        outcomes.append(
            Outcome(
                delivery_id=job.delivery_id,
                event_id=job.event_id,
                event=job.event,
                partner_id=job.partner_id,
                payload=job.payload,
                status=fields["status"],
                status_code=response.status_code,
                error=response.error,
            )
        )
    _report_all(on_outcome, outcomes)
    return outcomes


def record(
    results: list[tuple[Job, Response]],
    clock: datetime,
    on_outcome: OutcomeCallback | None = None,
) -> list[Outcome]:
    """Log attempts and, where the lease still holds, each delivery's new status; report each
    outcome. One transaction for them all: one commit, not one per delivery.

    A delivery whose lease was lost (another worker re-claimed it after it ran out) has its
    attempt logged only: the other worker decides its status, and no outcome is reported.
    """
    with transaction.atomic():
        return record_rows(results, clock, on_outcome)


def set_aside(delivery: Delivery, on_outcome: OutcomeCallback | None) -> Outcome | None:
    """A claimed delivery whose endpoint is disabled: marked `disabled`, not sent."""
    now = timezone.now()
    with transaction.atomic():
        held = leases.finish(
            Delivery.objects.all(),
            delivery.pk,
            delivery.lease_token,
            status=DeliveryStatus.DISABLED,
            last_error="endpoint disabled",
            updated_at=now,
        )
        if not held:
            return None
        outcome = Outcome(
            delivery_id=delivery.pk,
            event_id=str(delivery.event_id),
            event=delivery.event.event,
            partner_id=delivery.partner_id,
            payload=delivery.event.payload,
            status=DeliveryStatus.DISABLED,
            status_code=None,
            error="endpoint disabled",
        )
        _report_all(on_outcome, [outcome])
    return outcome
