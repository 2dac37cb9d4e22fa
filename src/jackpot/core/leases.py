"""Leases on outbox rows: how the worker takes a job so that no two workers do it at once.

One design for every queue the worker drains (PDF and mail jobs, webhook deliveries). A row that
can be leased has two columns: `lease_token` (a UUID, null when free) and `locked_until` (null
when free). A worker

1. **claims** due rows in a short transaction: rows whose lease is free or ran out, locked with
   `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (rows another worker is claiming are skipped,
   nobody waits; SQLite serialises writers by its IMMEDIATE transactions), then marked with a
   fresh token and `locked_until = now + duration`, and committed before any work starts;
2. does the work, outside that transaction;
3. **finishes** a row with one UPDATE guarded by its token: a worker whose lease ran out and was
   taken over by another finds nothing to update, so its stale result is dropped.

So a killed worker's job is done again once its lease runs out (at least once, never lost), and
a job is never done twice while its lease holds. The functions take querysets and leave the
queue's own rules (what is due, its order, retries) to the caller: no model here.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Lease:
    """One claim: the token that proves it, and until when it holds."""

    token: uuid.UUID
    until: datetime


def new(now: datetime, duration: timedelta) -> Lease:
    return Lease(uuid.uuid4(), now + duration)


def holds(row, now: datetime) -> bool:
    """Whether someone's lease on the (loaded) row still runs at `now`."""
    return row.locked_until is not None and row.locked_until > now


def free(now: datetime) -> Q:
    """Rows nobody holds: never leased, finished, or their holder's lease ran out by `now`."""
    return Q(locked_until__isnull=True) | Q(locked_until__lte=now)


@contextmanager
def read_in_index_order():
    """Have the claim read inside this block take its queue through the index of its order,
    never sort the queue: evaluate the claim's query inside it.

    A queue's statistics are stale by nature: analyzed while the worker kept up, they say a
    handful of rows are pending when thousands are. The planner then thinks sorting them costs
    nothing, and reads, joins and sorts every due row (on disk) to hand back the first few:
    100 to 200 ms a claim at 8 000 pending, growing with the backlog, and one worker fell
    behind the server (issue 18, bench/README.md). Each queue has an index in its claim's
    order (`delivery_pending`, `delivery_job_pending`); with sorting priced out the planner
    takes it and stops after the first rows, whatever the statistics say. The setting is put
    back as it was when the block ends, so a claim made inside a longer transaction leaves
    the rest of it planned as usual; no other database needs it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)"
        )
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_sort', %s, true)", [before])


def lockable(queryset: QuerySet, now: datetime) -> QuerySet:
    """The rows of `queryset` free to claim, each locked as it is read, locked ones skipped.

    Evaluate it inside the claim's transaction. Only the queue's own rows are locked (`of`), not
    rows joined by `select_related`.
    """
    return queryset.filter(free(now)).select_for_update(skip_locked=True, of=("self",))


def grant(queryset: QuerySet, pks, lease: Lease, **fields) -> int:
    """Mark the rows `pks` (read through `lockable`, same transaction) as held by `lease`."""
    return queryset.filter(pk__in=list(pks)).update(
        lease_token=lease.token, locked_until=lease.until, **fields
    )


def claim(queryset: QuerySet, now: datetime, lease: Lease, limit: int, **fields) -> list:
    """Lease up to `limit` free rows of `queryset` (ordered as the caller wants) to `lease`;
    returns their primary keys. Run inside a transaction that commits before the work starts."""
    with read_in_index_order():
        pks = list(lockable(queryset, now).values_list("pk", flat=True)[:limit])
    if pks:
        grant(queryset.model._default_manager.all(), pks, lease, **fields)
    return pks


def held(queryset: QuerySet, pk, token: uuid.UUID) -> QuerySet:
    """The row `pk`, only while the holder of `token` still holds it."""
    return queryset.filter(pk=pk, lease_token=token)


def finish(queryset: QuerySet, pk, token: uuid.UUID, **fields) -> bool:
    """Write the outcome and free the row, only if `token` still holds it; False when the lease
    was lost (taken over after it ran out): the stale outcome is dropped."""
    return bool(held(queryset, pk, token).update(lease_token=None, locked_until=None, **fields))


def still_held(queryset: QuerySet, tokens: dict) -> set:
    """Of the rows `{pk: token}`, those each token still holds, locked until the transaction
    ends: one statement for a batch, where `finish` takes one a row. Write their outcomes with
    `finish_held` in the same transaction."""
    if not tokens:
        return set()
    rows = queryset.filter(pk__in=list(tokens)).select_for_update(of=("self",))
    return {pk for pk, token in rows.values_list("pk", "lease_token") if tokens[pk] == token}


def finish_held(queryset: QuerySet, pks, **fields) -> int:
    """Write the outcomes of rows `still_held` found (same transaction) and free them."""
    return queryset.filter(pk__in=list(pks)).update(lease_token=None, locked_until=None, **fields)


def release(queryset: QuerySet, pks, token: uuid.UUID) -> int:
    """Give back rows claimed under `token` but not worked on (a worker told to stop): they are
    free at once for another worker, instead of waiting for the lease to run out."""
    return queryset.filter(pk__in=list(pks), lease_token=token).update(
        lease_token=None, locked_until=None
    )
