"""The worker's claim of delivery jobs reads the first due rows of `delivery_job_pending`, in its
own order, with no sort: as the webhook claim (tests/webhooks/test_claim_plans.py, issue 18)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jackpot.vouchers import delivery
from support.explain import plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_delivery_job_claim_reads_the_pending_index_in_order():
    now = timezone.now()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            delivery._claim(now, 50)
        transaction.set_rollback(True)

    text = plan(next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")))

    assert "delivery_job_pending" in text, text
    assert "Sort" not in text, text
