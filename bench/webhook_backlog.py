"""One worker's webhook step draining a backlog, the queue's statistics stale as in production.

    .venv/bin/python bench/webhook_backlog.py [--backlog 20000] [--seconds 30]

Writes `--backlog` pending deliveries of one partner (coupon/reserved, confirmed and ready in
turn, as the soak's flows write them) with SQL, analyzes the table while they are marked
delivered (the statistics a queue has when its worker kept up until a moment ago), sets them
pending again, then runs `deliver_due` passes (what `jackpot worker` calls, with its callback)
against a keep-alive receiver in a process of its own, for `--seconds`. Prints each pass, the
deliveries a second, the statements a delivery, the POST times, and the claim's plan.

`webhooks_bench.py` drains 2 000 fresh rows: too few for a bad plan to show. This is the case
of issue 18, where the soak's worker delivered 12 webhooks a second with 50 000 pending.
The database (`--database-url`) must be a scratch one: it is dropped and created again.
"""

import argparse
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scratch  # noqa: E402
import webhooks_bench  # noqa: E402

BACKLOG = """
WITH events AS (
  INSERT INTO webhooks_outboxevent (id, partner_id, event, notification_key, payload, created_at)
  SELECT gen_random_uuid(), %(partner)s, kind, 'nk-' || n,
         jsonb_build_object('event', kind, 'id', gen_random_uuid(), 'createdAt', now(),
           'livemode', true, 'message', jsonb_build_object('storeId', 'bench',
           'data', jsonb_build_object('id', gen_random_uuid()))),
         now() - interval '1 hour' + n * interval '1 ms'
  FROM generate_series(1, %(count)s) AS n,
       LATERAL (SELECT (ARRAY['coupon/reserved', 'coupon/confirmed', 'coupon/ready'])[1 + n %% 3]
                AS kind) AS k
  RETURNING id, created_at)
INSERT INTO webhooks_delivery (event_id, partner_id, url, status, attempts, schedule_step,
                               next_attempt_at, created_at, updated_at, last_error)
SELECT id, %(partner)s, %(url)s, 'delivered', 0, 0, created_at, created_at, created_at, ''
FROM events ORDER BY created_at
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/jackpot_webhook_backlog"
    )
    parser.add_argument("--backlog", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    receiver, url = webhooks_bench.start_receiver(0.0)
    scratch.recreate(args.database_url)
    webhooks_bench.setup_django(args.database_url)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jackpot.vouchers import notification_confirmation
    from jackpot.webhooks.claiming import claim_rows
    from jackpot.webhooks.delivery import deliver_due
    from jackpot.webhooks.models import Attempt
    from jackpot.webhooks.sending import make_client

    partner = webhooks_bench.reset_partner(url)
    with connection.cursor() as cursor:
        cursor.execute(BACKLOG, {"partner": partner.pk, "count": args.backlog, "url": url})
        cursor.execute("ANALYZE webhooks_delivery")  # while nothing is pending
        cursor.execute("UPDATE webhooks_delivery SET status = 'pending'")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            now = timezone.now()
            claim_rows(now, now, 16, {}, 12)
        claim = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE) {claim}")
            plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    print(f"{args.backlog} pending deliveries, statistics taken while none was; the claim:")
    print("\n".join(f"  {line}" for line in plan if "Scan" in line or "Sort" in line))
    print(f"  {plan[-1]}")

    client = make_client()  # one for every pass, as the worker keeps it
    began, cpu, total, statements = time.perf_counter(), time.process_time(), 0, 0
    try:
        while time.perf_counter() - began < args.seconds:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                done = deliver_due(
                    on_outcome=notification_confirmation.on_delivery_outcome,
                    client=client,
                )
            total, statements = total + done, statements + len(queries)
            print(f"pass: {done} deliveries in {time.perf_counter() - started:.2f} s", flush=True)
            if not done:
                break
    finally:
        client.close()
        receiver.terminate()
    elapsed = time.perf_counter() - began
    durations = sorted(Attempt.objects.values_list("duration_ms", flat=True))
    print(
        f"{total} delivered in {elapsed:.1f} s: {total / elapsed:.0f} a second, "
        f"{statements / max(total, 1):.1f} statements and "
        f"{(time.process_time() - cpu) * 1000 / max(total, 1):.1f} ms of this process's CPU "
        f"a delivery (receiver apart)"
    )
    if durations:
        print(
            f"POST ms: p50 {durations[len(durations) // 2]}, "
            f"p99 {durations[int(len(durations) * 0.99)]}, max {durations[-1]}"
        )
    connection.close()
    scratch.drop(args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
