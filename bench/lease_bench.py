"""What a lease costs (`core.leases`): claiming due outbox rows and finishing them, in-process.

    .venv/bin/python bench/lease_bench.py                       # a temporary SQLite file
    .venv/bin/python bench/lease_bench.py --database-url postgres://postgres@127.0.0.1/scratch

The rows are webhook deliveries (`Delivery`, a backlog of --backlog due rows for one partner);
the PDF and mail jobs use the same functions on their own table. Each case claims a batch in
its own transaction (`leases.claim`: the due rows read with `SELECT … FOR UPDATE SKIP LOCKED`
on PostgreSQL, then one UPDATE granting the lease), then finishes every row with the token
(`leases.finish`: one guarded UPDATE each, in one transaction), putting it back in the queue so
the backlog stays the same size. "claim" is the time of the claim transaction, "finish/row" of
one guarded UPDATE. With --threads N (PostgreSQL), N workers claim side by side: SKIP LOCKED
means none waits for another, and the run checks that no row was held by two of them at once.

With --database-url the database must be a scratch one: it is migrated and the bench partner's
rows are replaced.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from scratch import django_here  # noqa: E402  (bench/: Django on a scratch database)

ROOT = Path(__file__).resolve().parent.parent
PARTNER = "bench-leases"


def write_backlog(count: int):
    from django.db import transaction

    from jackpot.partners import credentials
    from jackpot.partners.models import Partner
    from jackpot.webhooks import outbox
    from jackpot.webhooks.models import Delivery

    Partner.objects.filter(pk=PARTNER).delete()
    partner, _ = credentials.create_partner("Bench leases", partner_id=PARTNER, domains=[])
    partner.notification_url = "https://hooks.bench.example/jackpot"
    partner.save(update_fields=["notification_url"])
    for start in range(0, count, 500):
        with transaction.atomic():
            for n in range(start, min(count, start + 500)):
                outbox.enqueue(partner, "store/update", store_id="s", data={"n": n})
    return Delivery.objects.filter(partner_id=PARTNER, status="pending")


def one_round(queue, batch: int) -> tuple[float, float, int]:
    """Claim a batch, then finish each row; returns (claim s, finish s per row, rows)."""
    from django.db import transaction
    from django.utils import timezone

    from jackpot.core import leases

    now = timezone.now()
    lease = leases.new(now, timedelta(minutes=1))
    began = time.perf_counter()
    with transaction.atomic():
        pks = leases.claim(queue.order_by("next_attempt_at", "id"), now, lease, batch)
    claimed = time.perf_counter()
    with transaction.atomic():
        for pk in pks:
            leases.finish(queue, pk, lease.token)
    finished = time.perf_counter()
    return claimed - began, (finished - claimed) / max(len(pks), 1), len(pks)


def sequential(queue, batches: list[int], rounds: int) -> None:
    print(f"{'batch':>6} {'claim ms (median)':>18} {'per row µs':>11} {'finish/row µs':>14}")
    for batch in batches:
        claims, finishes = [], []
        for _ in range(rounds):
            claim, finish, rows = one_round(queue, batch)
            assert rows == batch, f"claimed {rows} of {batch}"
            claims.append(claim)
            finishes.append(finish)
        median = statistics.median(claims)
        print(
            f"{batch:>6} {median * 1000:>18.2f} {median / batch * 1e6:>11.0f} "
            f"{statistics.median(finishes) * 1e6:>14.0f}"
        )


def contended(queue, threads: int, batch: int, seconds: float) -> None:
    """N workers claiming side by side; no row may be held by two of them at once."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jackpot.core import leases

    held: dict[int, int] = {}
    lock = threading.Lock()
    counts = [0] * threads
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        try:
            while time.monotonic() < stop:
                now = timezone.now()
                lease = leases.new(now, timedelta(minutes=1))
                with transaction.atomic():
                    pks = leases.claim(queue.order_by("next_attempt_at", "id"), now, lease, batch)
                with lock:
                    for pk in pks:
                        if pk in held:
                            errors.append(f"row {pk} held by workers {held[pk]} and {i}")
                        held[pk] = i
                with lock:
                    for pk in pks:
                        del held[pk]
                with transaction.atomic():
                    for pk in pks:
                        leases.finish(queue, pk, lease.token)
                counts[i] += len(pks)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = sum(counts)
    print(
        f"{threads} workers, batch {batch}: {total / seconds:,.0f} rows claimed and finished a "
        f"second ({', '.join(str(c) for c in counts)}); rows held twice: {len(errors)}"
    )
    if errors:
        sys.exit("; ".join(errors[:5]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--backlog", type=int, default=5000, help="due rows in the queue")
    parser.add_argument("--rounds", type=int, default=30, help="claims per batch size")
    parser.add_argument("--threads", type=int, default=0, help="workers side by side (PostgreSQL)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the threaded run")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("JACKPOT_DATA_DIR", scratch)
        django_here(args.database_url or f"sqlite:///{scratch}/bench.sqlite3")
        from django.db import connection

        queue = write_backlog(args.backlog)
        print(f"{connection.vendor}, {queue.count()} due rows")
        sequential(queue, [1, 10, 50, 200], args.rounds)
        if args.threads:
            contended(queue, args.threads, 10, args.seconds)


if __name__ == "__main__":
    main()
