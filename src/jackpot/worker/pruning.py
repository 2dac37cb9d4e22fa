"""Pruning the work tables on a schedule (`jackpot worker`) or once (`jackpot prune`).

What each table keeps, and for how long, is decided by its own app (`api.idempotency`,
`tokens.sessions`, `webhooks.retention`, `vouchers.retention`, and the erasure of personal data
past its retention, `vouchers.personal_data`; README, "Data kept and for how long"); this module
runs those prunes in order, in bounded batches (`core.pruning`).

A worker prunes on its first pass, then every `JACKPOT_PRUNE_INTERVAL` seconds. One pass deletes
at most `PASS_BATCHES` batches per step, so a backlog (the first run on an old database, a
worker that was down) is worked off over the following passes, between deliveries, instead of
holding one pass for minutes: while a step has more left, the next pass prunes again.
Several workers may prune at once: each batch skips the rows another holds.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.models import Session as LoginSession
from django.utils import timezone

from jackpot.api import idempotency
from jackpot.core.pruning import UNTIL_DONE, Budget, delete_in_batches
from jackpot.tokens import sessions
from jackpot.vouchers import personal_data
from jackpot.vouchers import retention as vouchers
from jackpot.webhooks import retention as webhooks

log = logging.getLogger("jackpot.worker")

PASS_BATCHES = 10  # batches per step and worker pass (of core.pruning.BATCH_SIZE rows)


@dataclass(frozen=True)
class Step:
    name: str  # as `jackpot prune` reports it
    prune: Callable[[datetime, Budget], int]
    # The step that must have finished first: envelopes nobody was sent are looked for once
    # the deliveries due to go are gone, not by walking past them.
    after: str | None = None


STEPS = (
    Step("idempotencyRecords", lambda now, budget: idempotency.prune(now, budget)),
    Step("tokenBurns", lambda now, budget: sessions.prune_burns(now, budget)),
    Step("webhookDeliveries", lambda now, budget: webhooks.prune_deliveries(now, budget)),
    Step(
        "unsentEnvelopes",
        lambda now, budget: webhooks.prune_unsent_events(now, budget),
        after="webhookDeliveries",
    ),
    Step("deliveryJobs", lambda now, budget: vouchers.prune_jobs(now, budget)),
    Step("sessions", lambda now, budget: vouchers.prune_sessions(now, budget)),
    # Not deletions: the personal data of closed vouchers and old sessions is erased, the rows
    # stay (`vouchers.personal_data`).
    Step("personalDataVouchers", lambda now, budget: personal_data.erase_closed(now, budget)),
    Step(
        "personalDataSessions",
        lambda now, budget: personal_data.erase_expired_sessions(now, budget),
    ),
    Step("backofficeLogins", lambda now, budget: prune_logins(now, budget)),
)


def ended_logins(now: datetime):
    """Backoffice logins (Django's sessions, portal and admin) that expired, the oldest first:
    Django never deletes them itself (`clearsessions` does, unbounded)."""
    return LoginSession.objects.filter(expire_date__lt=now).order_by("expire_date")


def prune_logins(now: datetime, budget: Budget) -> int:
    return delete_in_batches(ended_logins(now), budget)


@dataclass
class Run:
    """What one run deleted per step, and whether a step stopped on its budget."""

    deleted: dict[str, int]
    unfinished: bool

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def prune(
    now: datetime | None = None,
    budget: Budget = UNTIL_DONE,
    should_stop: Callable[[], bool] | None = None,
) -> Run:
    """Run every step once, each within `budget`; `should_stop` is asked between steps."""
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    unfinished = set()
    for step in STEPS:
        if should_stop is not None and should_stop():
            unfinished.add(step.name)
            continue
        if step.after in unfinished:
            unfinished.add(step.name)
            continue
        deleted[step.name] = step.prune(now, budget)
        if budget.exhausted_by(deleted[step.name]):
            unfinished.add(step.name)
    return Run(deleted, bool(unfinished))


class Schedule:
    """When this worker process prunes next: at once, then every `JACKPOT_PRUNE_INTERVAL`
    seconds, or on the next pass while the last run left work behind."""

    def __init__(self, interval: float | None = None, budget: Budget | None = None):
        self.interval = settings.JACKPOT_PRUNE_INTERVAL if interval is None else interval
        self.budget = budget or Budget(max_batches=PASS_BATCHES)
        self.next_at = 0.0  # time.monotonic(): due on the first pass
        self.behind = False  # the last run stopped on its budget: prune again without waiting

    def run_due(self, should_stop: Callable[[], bool] | None = None) -> int:
        """Prune if it is time; returns how many rows went."""
        if time.monotonic() < self.next_at:
            return 0
        run = prune(budget=self.budget, should_stop=should_stop)
        self.behind = run.unfinished
        self.next_at = time.monotonic() + (0 if run.unfinished else self.interval)
        if run.total:
            log.info(
                "pruned %d old row(s): %s",
                run.total,
                ", ".join(f"{n} {name}" for name, n in run.deleted.items() if n),
            )
        return run.total
