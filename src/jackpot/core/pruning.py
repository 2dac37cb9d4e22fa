"""Deleting old rows of the work tables in bounded batches: how every prune in the code runs.

Work tables (webhook deliveries, jobs, sessions, idempotency records, token burns) grow with
traffic; what is done and old enough is deleted so that the database grows with vouchers and
money instead. Each prune names its candidates as a queryset that an index serves in order
(the oldest first), and `delete_in_batches` takes them `batch_size` at a time:

- each batch is one short transaction: the candidates' primary keys are read and locked with
  `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's IMMEDIATE transactions serialise
  writers), then deleted by primary key. A row another transaction holds (a worker recording
  an outcome, an operator re-sending) is skipped, never waited for, and the candidates'
  condition is read under the lock, so a row that stopped being a candidate before the lock is
  not taken;
- a run stops after `max_batches` batches (the worker's budget per pass, so a backlog never
  delays deliveries for long) or when a batch comes back short (nothing left).

Retention periods are whole days read from settings (`cutoff`), at least one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Budget:
    """How much one run may delete: `max_batches` batches (None: until nothing is left)."""

    batch_size: int = BATCH_SIZE
    max_batches: int | None = None

    def exhausted_by(self, deleted: int) -> bool:
        """Whether a run that deleted `deleted` rows stopped on its budget (more may be left)."""
        return self.max_batches is not None and deleted >= self.batch_size * self.max_batches


UNTIL_DONE = Budget()


def cutoff(now: datetime, setting: str) -> datetime:
    """`now` minus the retention `setting` (whole days, at least one): older rows may go."""
    days = getattr(settings, setting)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(f"{setting} must be a whole number of days, at least 1")
    return now - timedelta(days=days)


def batch(candidates: QuerySet, size: int) -> QuerySet:
    """The keys of the next `size` candidates, locked as they are read, locked ones skipped:
    the query each batch runs (evaluate it inside the batch's transaction)."""
    return candidates.select_for_update(skip_locked=True, of=("self",)).values_list(
        "pk", flat=True
    )[:size]


def delete_rows(model, pks: list) -> int:
    """Delete rows `pks` of `model` with the ORM (cascades and SET NULLs included, reading no
    column but the keys); returns how many rows of `model` went."""
    _, counts = model._default_manager.filter(pk__in=pks).only("pk").delete()
    return counts.get(model._meta.label, 0)


def delete_in_batches(
    candidates: QuerySet,
    budget: Budget = UNTIL_DONE,
    delete: Callable[[list], int] | None = None,
) -> int:
    """Delete the rows of `candidates` (ordered oldest first) in batches; returns how many went.

    `delete(pks)` deletes one locked batch (and what depends on it) inside the batch's
    transaction and returns how many rows of the candidates' table it deleted; by default the
    rows are deleted with the ORM, cascades included.
    """
    delete = delete or (lambda pks: delete_rows(candidates.model, pks))
    deleted = batches = 0
    while budget.max_batches is None or batches < budget.max_batches:
        with transaction.atomic():
            pks = list(batch(candidates, budget.batch_size))
            if pks:
                deleted += delete(pks)
        batches += 1
        if len(pks) < budget.batch_size:
            break
    return deleted
