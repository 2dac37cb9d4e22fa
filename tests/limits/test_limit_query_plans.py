"""Every query of the abuse limits reads an index (PostgreSQL; `support/explain.py`): the
portal's page, the release of a cancelled voucher, the worker's prunes; and no index of the
limits' tables is redundant."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from jackpot.limits import enforcement, report, retention
from jackpot.limits.models import Period, UserUsage
from support.explain import assert_uses_index

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("usage")]

NOW = datetime(2026, 3, 14, 15, 9, tzinfo=UTC)


@pytest.fixture
def usage(make_partner):
    """Two partners' counters of a few days and months, so the planner's statistics are those
    of a table with many users in each period."""
    partners = [make_partner("acme"), make_partner("beta")]
    rows = [
        UserUsage(
            partner=partner,
            user_id=f"user-{n}",
            period=period,
            start=date(2026, month, day if period == Period.DAY else 1),
            vouchers=n % 7,
            amount_cents=n * 100,
        )
        for partner in partners
        for n in range(400)
        for month, day in ((2, 27), (3, 13), (3, 14))
        for period in (Period.DAY, Period.MONTH)
        if period == Period.DAY or day != 13
    ]
    UserUsage.objects.bulk_create(rows, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {UserUsage._meta.db_table}")


@pytest.mark.parametrize(
    ("period", "column", "index"),
    [
        (Period.DAY, "vouchers", "user_usage_by_count"),
        (Period.MONTH, "vouchers", "user_usage_by_count"),
        (Period.MONTH, "amount_cents", "user_usage_by_amount"),
    ],
)
def test_the_users_nearest_a_limit_are_read_from_the_top_of_an_index(period, column, index):
    plan = assert_uses_index(report.top("acme", period, NOW.date(), column), index, ordered=True)
    assert "Sort" not in plan  # read in order: the top N and no more


def test_the_refusals_of_30_days_read_their_rows_only(make_partner):
    # Ninety days of each kind for twenty partners, analysed: on an empty table, or with two
    # partners, the planner would as well walk every partner's days through
    # `limit_refusal_day`; with many it reads the partner's own days.
    from datetime import timedelta

    from jackpot.limits.models import LimitRefusal, RefusalKind

    others = [make_partner(f"other-{n}").pk for n in range(18)]
    LimitRefusal.objects.bulk_create(
        LimitRefusal(partner_id=partner, day=NOW.date() - timedelta(days=n), kind=kind, refusals=n)
        for partner in ("acme", "beta", *others)
        for n in range(90)
        for kind in RefusalKind.values
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LimitRefusal._meta.db_table}")
    assert_uses_index(report.refusal_rows("acme", NOW), "limit_refusal_once")


def test_a_release_finds_its_two_rows_by_the_unique_key():
    for rows in enforcement.held_by("acme", "user-1", NOW):
        assert_uses_index(rows, "user_usage_once")


@pytest.mark.parametrize(
    ("candidates", "index"),
    [
        (retention.ended_user_usage(NOW, Period.DAY), "user_usage_period"),
        (retention.ended_user_usage(NOW, Period.MONTH), "user_usage_period"),
        (retention.ended_address_usage(NOW), "address_usage_hour"),
    ],
)
def test_the_prunes_read_the_oldest_rows_first_through_an_index(candidates, index):
    assert_uses_index(candidates, index)


def test_the_refusals_prune_reads_its_index(settings):
    settings.JACKPOT_LIMIT_REFUSAL_RETENTION_DAYS = 90
    assert_uses_index(retention.old_refusals(NOW), "limit_refusal_day")


INDEXES = """
SELECT t.relname, i.relname, array_agg(a.attname ORDER BY k.n), x.indisunique,
       x.indpred IS NOT NULL
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE n.nspname = current_schema() AND t.relname ~ '^limits_'
GROUP BY t.relname, i.relname, x.indisunique, x.indpred
"""


def test_no_index_of_the_limits_tables_is_redundant():
    with connection.cursor() as cursor:
        cursor.execute(INDEXES)
        indexes = cursor.fetchall()
    assert len(indexes) >= 9  # three tables: keys, uniques, rankings and prunes
    covered = [
        f"{table}.{name} (covered by {other})"
        for table, name, columns, unique, partial in indexes
        if not unique and not partial
        for other_table, other, other_columns, _, other_partial in indexes
        if other_table == table and other != name and not other_partial
        if other_columns[: len(columns)] == columns
    ]
    assert not covered, covered
