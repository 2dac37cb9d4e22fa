"""Delivering the outbox (SPEC §8): claim due deliveries, POST them, log every attempt, report.

One pass of `deliver_due()`, run by `jackpot worker`, keeps up to `JACKPOT_WEBHOOK_CONCURRENCY`
POSTs in flight:

1. **Claim** due rows in a short transaction: `pending`, due, not leased by another worker,
   locked with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (on SQLite the IMMEDIATE
   transaction mode serialises writers), then leased (`locked_until` = now + lease, a fresh
   `lease_token`) and committed. Two workers never hold the same row; a killed worker's lease
   runs out and the row is claimed again, so a delivery is sent at least once, never lost.
   More rows are claimed as slots free up, so one slow endpoint does not hold up the others,
   and one partner never has more than half of the slots.
2. **Send** outside any transaction, in threads that touch no database: Standard Webhooks
   headers, 15 s timeout, redirects not followed, at most 1 KB of the answer read, and in
   production mode only to public addresses (see `addresses`).
3. **Record** whatever has completed in one transaction: an `Attempt` row each, each delivery's
   new status (only where this worker still holds the lease) and the caller's `on_outcome`
   callback, which runs in that same transaction (in a savepoint) so that what it does, such as
   confirming a voucher, commits together with "delivered" or not at all.

Outcomes: a 2xx answer delivers; 410 Gone disables the partner's endpoint (no more deliveries
until it is re-enabled); a refused address fails at once; anything else (other statuses, 3xx
included, timeouts, connection errors) is retried after the next step of the retry schedule, with
jitter, or after `Retry-After` when that is longer (capped at a day), and fails once the schedule
is used up. A pass attempts each delivery at most once, so a zero-second schedule cannot spin.
"""

import json
import logging
import random
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jackpot.webhooks import addresses, config, signing
from jackpot.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint

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


OutcomeCallback = Callable[[Outcome], None]


@dataclass(frozen=True)
class Job:
    """A claimed delivery, ready to send: everything the sending thread needs, no ORM object."""

    delivery_id: int
    event_id: str
    event: str
    partner_id: str
    payload: dict
    url: str
    body: str
    secrets: tuple[str, ...]
    number: int  # this attempt's number for the delivery, from 1
    schedule_step: int
    token: uuid.UUID  # the lease this worker holds on the delivery


@dataclass(frozen=True)
class Response:
    """What one POST gave, or why there was none."""

    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    retry_after: float | None = None
    refused: bool = False


ENVELOPE_ORDER = ("event", "id", "createdAt", "message")


def body_of(payload: dict) -> str:
    """The exact text signed and sent: compact JSON, the envelope's keys in the SPEC's order
    (PostgreSQL's jsonb does not keep the order they were written in)."""
    ordered = {key: payload[key] for key in ENVELOPE_ORDER if key in payload}
    ordered.update((key, value) for key, value in payload.items() if key not in ordered)
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


def make_client(timeout: float | None = None, concurrency: int | None = None) -> httpx.Client:
    """An HTTP client for deliveries: no redirects, no proxy from the environment."""
    timeout = config.timeout() if timeout is None else timeout
    concurrency = concurrency or config.concurrency()
    transport = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency),
        # Headers and body may leave in separate writes; without TCP_NODELAY the body can wait
        # for the receiver's delayed ACK (~40 ms a request, seen in bench/webhooks_bench.py).
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
    )


# --- the retry schedule ----------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (moment - now).total_seconds())


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


# --- claiming ------------------------------------------------------------------------------


def _claim_rows(
    clock: datetime,
    pass_started: datetime,
    size: int,
    busy: dict[str, int],
    per_partner: int,
    token: uuid.UUID,
) -> list[Delivery]:
    """Lease up to `size` due deliveries; run inside a transaction, which must commit before
    anything is sent."""
    real_now = timezone.now()
    candidates = (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event", "partner")
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=clock)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=real_now))
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=pass_started))
        .exclude(partner_id__in=[p for p, n in busy.items() if n >= per_partner])
        .order_by("next_attempt_at", "id")[: size * 4]  # room to skip a partner at its cap
    )
    taken, counts = [], dict(busy)
    for delivery in candidates:
        if len(taken) == size:
            break
        if counts.get(delivery.partner_id, 0) < per_partner:
            counts[delivery.partner_id] = counts.get(delivery.partner_id, 0) + 1
            delivery.lease_token = token
            taken.append(delivery)
    if taken:
        Delivery.objects.filter(pk__in=[d.pk for d in taken]).update(
            locked_until=real_now + timedelta(seconds=config.lease()), lease_token=token
        )
    return taken


def _jobs(taken: list[Delivery]) -> tuple[list[Job], list[Delivery]]:
    """The jobs to send for leased deliveries, and those whose endpoint is disabled."""
    now = timezone.now()
    endpoints = {
        e.partner_id: e
        for e in Endpoint.objects.filter(partner_id__in={d.partner_id for d in taken})
    }
    jobs, disabled = [], []
    for delivery in taken:
        endpoint = endpoints.get(delivery.partner_id)
        if endpoint is not None and endpoint.disabled:
            disabled.append(delivery)
            continue
        payload = delivery.event.payload
        url = delivery.partner.notification_url
        if url:  # a partner fixing its URL is followed; without one the attempt is refused
            url = addresses.with_notification_key(url, delivery.event.notification_key or None)
        jobs.append(
            Job(
                delivery_id=delivery.pk,
                event_id=str(delivery.event_id),
                event=delivery.event.event,
                partner_id=delivery.partner_id,
                payload=payload,
                url=url,
                body=body_of(payload),
                secrets=tuple(signing.signing_secrets(delivery.partner, endpoint, now)),
                number=delivery.attempts + 1,
                schedule_step=delivery.schedule_step,
                token=delivery.lease_token,
            )
        )
    return jobs, disabled


def claim(
    clock: datetime,
    pass_started: datetime,
    size: int,
    busy: dict[str, int] | None = None,
    per_partner: int | None = None,
) -> tuple[list[Job], list[Delivery]]:
    """Lease up to `size` due deliveries to this worker, in a transaction of its own.

    Returns the jobs to send and the claimed deliveries whose endpoint is disabled (to set
    aside). `busy` counts this worker's POSTs in flight per partner: no partner gets more than
    `per_partner` at once, so one partner's slow endpoint cannot hold every slot.
    """
    with transaction.atomic():
        taken = _claim_rows(
            clock, pass_started, size, busy or {}, per_partner or size, uuid.uuid4()
        )
    return _jobs(taken)


# --- sending (threads: no database here) ---------------------------------------------------


def _excerpt(response: httpx.Response, deadline: float) -> str:
    """At most 1 KB of the answer: the status already decided the outcome, so a body that
    stalls or breaks off only shortens the excerpt."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= Attempt.EXCERPT_BYTES or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        pass
    return b"".join(chunks)[: Attempt.EXCERPT_BYTES].decode("utf-8", "replace")


def post(client: httpx.Client, job: Job, *, guard: bool, timeout: float) -> Response:
    """POST one job; never raises for anything the network or the receiver does."""
    started_at = timezone.now()
    began = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - began) * 1000)

    try:
        target = addresses.check(job.url, guard=guard)
    except addresses.Refused as exc:
        return Response(started_at, elapsed_ms(), error=str(exc)[:300], refused=True)
    except ValueError as exc:  # a URL urllib cannot parse (stored before validation tightened)
        error = f"refused: invalid notification URL ({exc})"
        return Response(started_at, elapsed_ms(), error=error[:300], refused=True)
    headers = signing.headers(list(job.secrets), job.event_id, job.body)
    if target.host_header:
        headers["host"] = target.host_header
    try:
        with client.stream(
            "POST",
            target.url,
            content=job.body.encode(),
            headers=headers,
            extensions=target.extensions or None,
        ) as answer:
            excerpt = _excerpt(answer, began + timeout)
            code = answer.status_code
            error = ""
            if 300 <= code < 400:
                location = answer.headers.get("location", "")
                error = f"redirect not followed (HTTP {code} to {location or 'nowhere'})"
            elif not 200 <= code < 300:
                error = f"HTTP {code}"
            retry_after = None
            if not 200 <= code < 300:
                retry_after = parse_retry_after(answer.headers.get("retry-after"), started_at)
            return Response(
                started_at, elapsed_ms(), code, error[:300], excerpt, retry_after=retry_after
            )
    except httpx.TimeoutException as exc:
        error = f"timeout after {timeout:g} s ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    except Exception as exc:  # a bug must not kill the pass; it is logged with the attempt
        log.exception("unexpected error delivering %s", job.delivery_id)
        error = f"{type(exc).__name__}: {exc}"
    return Response(started_at, elapsed_ms(), error=error[:300])


# --- recording -----------------------------------------------------------------------------


def _decide(job: Job, response: Response, clock: datetime) -> dict:
    """The delivery's new fields after `response`."""
    code = response.status_code
    if code is not None and 200 <= code < 300:
        return {"status": DeliveryStatus.DELIVERED, "delivered_at": timezone.now()}
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
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    ).update(status=DeliveryStatus.DISABLED, last_error="endpoint disabled", updated_at=now)
    return endpoint


def _report(on_outcome: OutcomeCallback | None, outcome: Outcome) -> None:
    if on_outcome is None:
        return
    try:
        with transaction.atomic():  # a savepoint: a failing callback undoes only its own work
            on_outcome(outcome)
    except Exception:
        log.exception("outcome callback failed for delivery %s", outcome.delivery_id)


def _record_rows(
    results: list[tuple[Job, Response]], clock: datetime, on_outcome: OutcomeCallback | None
) -> list[Outcome]:
    """Log attempts and new statuses, report outcomes; run inside a transaction."""
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
    for job, response in results:
        fields = _decide(job, response, clock)
        held = Delivery.objects.filter(pk=job.delivery_id, lease_token=job.token).update(
            attempts=F("attempts") + 1,
            locked_until=None,
            lease_token=None,
            last_attempt_at=now,
            last_status_code=response.status_code,
            last_error=response.error,
            updated_at=now,
            **({"url": job.url} if job.url else {}),
            **fields,
        )
        if not held:
            log.warning("lease on delivery %s lost; attempt logged only", job.delivery_id)
            continue
        if fields["status"] == DeliveryStatus.DISABLED:
            disable_endpoint(job.partner_id, f"{job.url} answered 410 Gone", now)
        elif fields["status"] == DeliveryStatus.FAILED:
            log.warning("delivery %s failed for good: %s", job.delivery_id, response.error)
        outcome = Outcome(
            delivery_id=job.delivery_id,
            event_id=job.event_id,
            event=job.event,
            partner_id=job.partner_id,
            payload=job.payload,
            status=fields["status"],
            status_code=response.status_code,
            error=response.error,
        )
        _report(on_outcome, outcome)
        outcomes.append(outcome)
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
        return _record_rows(results, clock, on_outcome)


def set_aside(delivery: Delivery, on_outcome: OutcomeCallback | None) -> Outcome | None:
    """A claimed delivery whose endpoint is disabled: marked `disabled`, not sent."""
    now = timezone.now()
    with transaction.atomic():
        held = Delivery.objects.filter(pk=delivery.pk, lease_token=delivery.lease_token).update(
            status=DeliveryStatus.DISABLED,
            locked_until=None,
            lease_token=None,
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
        _report(on_outcome, outcome)
    return outcome


# --- one pass ------------------------------------------------------------------------------


LINGER = 0.002  # seconds to gather other completions before recording: fewer commits
PATIENCE = 0.05  # seconds without a completion before free slots are claimed one by one
IDLE_RECLAIM = 1.0  # seconds before claiming again after a claim found nothing due


def deliver_due(
    now: datetime | None = None,
    *,
    on_outcome: OutcomeCallback | None = None,
    limit: int = 500,
    client: httpx.Client | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Attempt every due delivery once (up to `limit`); returns how many were processed.

    Keeps up to `JACKPOT_WEBHOOK_CONCURRENCY` POSTs in flight and claims more as slots free up,
    so a slow endpoint does not hold up the others; one partner gets at most three quarters of
    the slots, so its slow endpoint cannot take them all. What has completed is recorded, and
    the free slots claimed again, in one transaction.

    `now` stands for the clock when deciding what is due and when retries fall (tests drive the
    schedule with it); leases always use the real clock. Call it outside any transaction: each
    claim must commit before its POSTs leave.
    """
    config.check()
    pass_started = timezone.now()
    size = config.concurrency()
    per_partner = size - max(1, size // 4) if size > 1 else 1
    timeout = config.timeout()
    guard = config.production_mode()
    own_client = client is None
    if own_client:
        client = make_client(timeout, size)
    processed = 0
    in_flight: dict[Future, Job] = {}
    busy: dict[str, int] = {}
    dry_until = 0.0  # after a claim found nothing due, wait for a completion or a second

    def wants_claim(eager: bool = False) -> int:
        """Free slots to claim now: batched (half the slots at least) while POSTs complete
        quickly; any free slot when nothing completes (`eager`), so stalled POSTs block none."""
        free = min(size - len(in_flight), limit - processed)
        if free <= 0 or time.monotonic() < dry_until:
            return 0
        if should_stop is not None and should_stop():
            return 0
        return free if eager or not in_flight or free >= max(1, size // 2) else 0

    def start(taken: list[Delivery], pool: ThreadPoolExecutor) -> None:
        nonlocal processed, dry_until
        if not taken:
            dry_until = time.monotonic() + IDLE_RECLAIM
            return
        jobs, disabled = _jobs(taken)
        for delivery in disabled:
            set_aside(delivery, on_outcome)
        for job in jobs:
            in_flight[pool.submit(post, client, job, guard=guard, timeout=timeout)] = job
            busy[job.partner_id] = busy.get(job.partner_id, 0) + 1
        processed += len(taken)

    def claim_rows(free: int) -> list[Delivery]:
        if not free:
            return []
        token = uuid.uuid4()
        return _claim_rows(now or timezone.now(), pass_started, free, busy, per_partner, token)

    try:
        with ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook") as pool:
            while True:
                done = set()
                if in_flight:
                    done, _ = wait(in_flight, timeout=PATIENCE, return_when=FIRST_COMPLETED)
                if not done:  # nothing running, or nothing completed for a while
                    free, taken = wants_claim(eager=True), []
                    if free:
                        with transaction.atomic():
                            taken = claim_rows(free)
                        start(taken, pool)
                    if not in_flight and not taken:
                        break  # nothing due (or the limit reached, or told to stop)
                    continue
                if len(done) < len(in_flight):
                    done, _ = wait(in_flight, timeout=LINGER)
                results = []
                for future in done:
                    job = in_flight.pop(future)
                    busy[job.partner_id] -= 1
                    results.append((job, future.result()))
                dry_until = 0.0
                free = wants_claim()
                with transaction.atomic():  # one commit: outcomes recorded, free slots claimed
                    _record_rows(results, now or timezone.now(), on_outcome)
                    taken = claim_rows(free)
                if free:
                    start(taken, pool)
    finally:
        if own_client:
            client.close()
    return processed
