"""The worker's claim of delivery jobs reads the first due rows of `delivery_job_pending`, in
its own order, with no sort: as the webhook claim (tests/webhooks/test_claim_plans.py, issue 18,
where stale statistics made the claim sort the whole queue)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jackpot.core import leases
from jackpot.vouchers import delivery

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_delivery_job_claim_reads_the_first_rows_of_the_pending_index():
    now = timezone.now()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            delivery._claim(now, 50)
        sql = next(q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone()[0] == "on"  # put back once the claim is done
        with leases.read_in_index_order(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            text = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)

    assert "delivery_job_pending" in text, text
    assert "Sort" not in text, text
