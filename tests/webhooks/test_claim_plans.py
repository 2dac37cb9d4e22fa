"""The worker's claims read their queue in order from an index, whatever its statistics say.

A queue's statistics are stale by nature: analyzed while the worker kept up, they say almost
nothing is pending when a backlog has built. The webhook claim (ordered by `next_attempt_at`,
`id`) then read every pending row, joined each to its event and partner and sorted them all on
disk: 100 to 200 ms a claim at 8 000 pending, and one worker fell behind the server (issue 18,
bench/README.md). A claim now reads the first due rows of a partial index in its own order
(`delivery_pending`; the delivery jobs' likewise, tests/vouchers), sorting priced out
(`core.leases.read_in_index_order`), and stops there.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jackpot.core import leases
from jackpot.webhooks.claiming import claim_rows
from jackpot.webhooks.models import Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def stale_statistics(model) -> None:
    """Statistics taken while nothing was pending; then every row pending again."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = 'done_'")  # noqa: S608 - the model's table
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"UPDATE {table} SET status = 'pending'")  # noqa: S608


def claim_plan(claim) -> str:
    """The plan of the claim's SELECT … FOR UPDATE as the claim plans it (sorting priced out
    inside `read_in_index_order`), in a transaction rolled back; and the setting is back as it
    was once the claim is done: a claim inside a longer transaction leaves the rest of it
    planned as usual."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            claim()
        sql = next(q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone()[0] == "on"
        with leases.read_in_index_order(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            text = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return text


def test_the_webhook_claim_reads_the_first_rows_of_the_pending_index(make_partner, store_event):
    partner = make_partner("acme", notification_url="http://127.0.0.1:9/hooks")
    for n in range(300):
        store_event(partner, n)
    stale_statistics(Delivery)
    now = timezone.now()

    text = claim_plan(lambda: claim_rows(now, now, 16, {}, 12))

    assert "Index Scan using delivery_pending" in text, text
    assert "Sort" not in text, text
