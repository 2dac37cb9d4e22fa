"""The worker's claims read their queue in order from an index, whatever its statistics say.

A queue's statistics are stale by nature: analyzed while the worker kept up, they say almost
nothing is pending when a backlog has built. The webhook claim (ordered by `next_attempt_at`,
`id`) then read every pending row through `delivery_due`, joined each to its event and partner
and sorted them all on disk: 100 ms a claim at 7 800 pending, and one worker fell behind the
server (issue 18, bench/README.md). Each claim now reads the first due rows of a partial index
in its own order (`delivery_pending`; the delivery jobs' likewise, tests/vouchers), with no
sort.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jackpot.webhooks.claiming import claim_rows
from jackpot.webhooks.models import Delivery
from support.explain import plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def statement_of(call) -> str:
    """The first SELECT `call` sends (rolled back)."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            call()
        transaction.set_rollback(True)
    return next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT"))


def stale_statistics(model, pending: int) -> None:
    """`pending` rows pending, the statistics taken while none was."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = 'done_'")  # noqa: S608 - the model's table
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(
            f"UPDATE {table} SET status = 'pending' WHERE id IN "  # noqa: S608
            f"(SELECT id FROM {table} ORDER BY id LIMIT %s)",
            [pending],
        )


def test_the_webhook_claim_reads_the_pending_index_in_order(make_partner, store_event):
    partner = make_partner("acme", notification_url="http://127.0.0.1:9/hooks")
    for n in range(60):
        store_event(partner, n)
    stale_statistics(Delivery, 60)
    now = timezone.now()

    text = plan(statement_of(lambda: claim_rows(now, now, 16, {}, 12)))

    assert "delivery_pending" in text, text
    assert "Sort" not in text, text
