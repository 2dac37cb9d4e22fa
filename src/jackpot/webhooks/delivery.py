"""Delivering the outbox (SPEC §8): claim due deliveries, POST them, log every attempt, report.

One pass of `deliver_due()`, run by `jackpot worker`, keeps up to `JACKPOT_WEBHOOK_CONCURRENCY`
POSTs in flight:

1. **Claim** due rows under a lease (`claiming`, with `core.leases`: the same lease design as
   the voucher PDF and mail jobs) in a short transaction committed before anything is sent. Two
   workers never hold the same row; a killed worker's lease runs out and the row is claimed
   again, so a delivery is sent at least once, never lost. More rows are claimed as slots free
   up, so one slow endpoint does not hold up the others, and one partner never has more than
   three quarters of the slots.
2. **Send** outside any transaction, in threads that touch no database (`sending`).
3. **Record** whatever has completed in one transaction (`outcomes`): the delivery log, each
   delivery's new status where this worker still holds the lease, the caller's `on_outcome`
   callback; the free slots are claimed again in that same transaction.

A pass attempts each delivery at most once, so a zero-second retry schedule cannot spin.
"""

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime

import httpx
from django.db import transaction
from django.utils import timezone

from jackpot.webhooks import config
from jackpot.webhooks.claiming import claim_rows, jobs_for
from jackpot.webhooks.models import Delivery
from jackpot.webhooks.outcomes import OutcomeCallback, record_rows, set_aside
from jackpot.webhooks.sending import Job, make_client, post

LINGER = 0.002  # seconds to gather other completions before recording: fewer commits
PATIENCE = 0.05  # seconds without a completion before free slots are claimed one by one
IDLE_RECLAIM = 1.0  # seconds before claiming again after a claim found nothing due


class KeptClient:
    """One HTTP client for all of a worker's passes, so that its connections to the partners'
    endpoints outlive a pass: a pass that opened its own client and closed it at its end began
    with a TCP (and TLS) handshake per slot, and a receiver slow to accept them held each slot
    for a second or more (a SYN retried). Made again when the timeout or concurrency changes."""

    def __init__(self) -> None:
        self._client: httpx.Client | None = None
        self._settings: tuple[float, int] | None = None

    def get(self) -> httpx.Client:
        settings = (config.timeout(), config.concurrency())
        if self._client is None or settings != self._settings:
            self.close()
            self._client, self._settings = make_client(*settings), settings
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


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
        jobs, disabled = jobs_for(taken)
        for delivery in disabled:
            set_aside(delivery, on_outcome)
        for job in jobs:
            in_flight[pool.submit(post, client, job, guard=guard, timeout=timeout)] = job
            busy[job.partner_id] = busy.get(job.partner_id, 0) + 1
        processed += len(taken)

    def claim(free: int) -> list[Delivery]:
        if not free:
            return []
        return claim_rows(now or timezone.now(), pass_started, free, busy, per_partner)

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
                            taken = claim(free)
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
                    record_rows(results, now or timezone.now(), on_outcome)
                    taken = claim(free)
                if free:
                    start(taken, pool)
    finally:
        if own_client:
            client.close()
    return processed
