"""Every list, search and aggregate over vouchers, statements and the outbox reads its index.

PostgreSQL only: the plans come from the functions the API, the statements, the worker and the
portal run (`support/explain.py` discourages sequential scans so that the planner takes an
index whenever one can serve the query, and the test names it). A test here fails when a query
or an index changes shape in a way that would make it a scan of the table again (issue 18).
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from jackpot.core import cursors
from jackpot.vouchers import lifecycle, payments, queries
from jackpot.vouchers.models import Statement
from jackpot.webhooks import services as webhooks
from support.explain import assert_uses_index
from support.volume import made_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("volume")]

NOW = datetime(2026, 3, 1, tzinfo=UTC)
A_YEAR_BACK = cursors.encode(NOW - timedelta(days=365), uuid.UUID(int=7))


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker):
    """One partner with most of 30,000 vouchers, made once for the module's tests."""
    with django_db_blocker.unblock(), made_once({"acme": 20000, "beta": 5000, "gamma": 5000}):
        yield


def vouchers(limit=20, cursor=None, **filters):
    return queries.voucher_page_query("acme", queries.VoucherFilter(**filters), limit, cursor)


def index_condition(plan: str, index: str) -> str:
    """The `Index Cond` of the scan of `index` in the plan's text."""
    found = re.search(rf"using {index} on .*\n\s+Index Cond: (.*)", plan)
    assert found, f"no index condition on {index}:\n{plan}"
    return found.group(1)


@pytest.mark.parametrize(
    "filters, index",
    [
        ({}, "voucher_partner_newest"),
        ({"user_id": "user-1"}, "voucher_partner_user"),
        ({"notification_key": "k1"}, "voucher_notification_key_once"),
        ({"state": ["EXPIRED"]}, "voucher_partner_state"),
        # The refund states have a partial index of their own (the portal's refunds page):
        # the planner weighs it against the partner's state index, either serves.
        ({"state": ["REFUNDING"]}, ("voucher_partner_refunds", "voucher_partner_state")),
        ({"payment_state": "DUE"}, "voucher_partner_payment"),
        ({"store_id": "bookly"}, "voucher_store_partner"),
        ({"reserved_from": NOW - timedelta(days=7), "reserved_to": NOW}, "voucher_partner_newest"),
        ({"user_id": "user-1", "reserved_from": NOW}, "voucher_partner_user"),
    ],
)
def test_each_filter_of_the_voucher_list_reads_its_index(filters, index):
    by_key = index == "voucher_notification_key_once"  # one row: no order to keep
    plan = assert_uses_index(vouchers(**filters), index, ordered=not by_key)
    assert "Sort" not in plan or by_key, plan  # index order


@pytest.mark.parametrize(
    "filters, index",
    [
        ({}, "voucher_partner_newest"),
        ({"user_id": "user-1"}, "voucher_partner_user"),
        ({"state": ["RESERVED"]}, "voucher_partner_state"),
        ({"store_id": "bookly"}, "voucher_store_partner"),
    ],
)
def test_a_deep_voucher_page_enters_the_index_at_its_cursor(filters, index):
    plan = assert_uses_index(vouchers(cursor=A_YEAR_BACK, **filters), index, ordered=True)
    # The cursor's moment bounds the index range: the scan starts there, it does not walk
    # every newer row of the partner to reach it.
    assert "reservation_date <=" in index_condition(plan, index), plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("cursor", [None, cursors.encode(NOW, 12)])
def test_the_statements_list_reads_its_index_and_no_voucher(cursor):
    query = queries.statement_page_query("acme", 50, cursor)
    plan = assert_uses_index(query, "statement_partner_newest", ordered=True)
    # Each statement's count is kept on it: a page never counts the vouchers of its statements
    # (thousands each for a busy partner; 25 ms a page at 3 million vouchers, bench/README.md).
    assert "vouchers_voucher" not in plan, plan
    assert "Sort" not in plan and "Hash" not in plan, plan
    if cursor:
        assert "issued_at <=" in index_condition(plan, "statement_partner_newest"), plan


def test_a_statements_files_read_its_vouchers_in_order_from_their_index():
    statement = Statement(pk=12, partner_id="acme")
    plan = assert_uses_index(
        payments.listed_vouchers(statement), "voucher_statement_lines", ordered=True
    )
    assert "Sort" not in plan, plan


def test_a_statement_issue_locks_the_due_vouchers_through_their_index():
    due = payments.due_in_period("acme", NOW - timedelta(days=31), NOW)
    plan = assert_uses_index(due, "voucher_due_by_confirmation")
    condition = index_condition(plan, "voucher_due_by_confirmation")
    assert "confirm_date >=" in condition and "confirm_date <" in condition, plan
    assert "LockRows" in plan, plan


def test_the_worker_finds_expired_reservations_through_their_index():
    plan = assert_uses_index(
        lifecycle.due_to_expire(NOW, 200), "voucher_reserved_expiry", ordered=True
    )
    assert "Sort" not in plan, plan


def test_a_vouchers_notifications_are_found_by_partner_and_key():
    assert_uses_index(webhooks.events_for_key("acme", "order-7"), "outbox_partner_key")


# --- no index left that another one makes useless -------------------------------------------

INDEXES = """
SELECT t.relname, i.relname, x.indkey::int2[]::int[], x.indisunique, x.indpred IS NOT NULL,
       pg_get_indexdef(x.indexrelid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND t.relname ~ '^(vouchers|tokens|webhooks)_'
"""


def test_no_index_of_vouchers_tokens_and_webhooks_is_redundant():
    with connection.cursor() as cursor:
        cursor.execute(INDEXES)
        indexes = cursor.fetchall()
    pattern = [name for _, name, *_, definition in indexes if "pattern_ops" in definition]
    assert not pattern, f"LIKE indexes that no query uses: {pattern}"
    covered = [
        f"{table}.{name} (covered by {other})"
        for table, name, columns, unique, partial, _ in indexes
        if not unique and not partial
        for other_table, other, other_columns, _, other_partial, _ in indexes
        if other_table == table and other != name and not other_partial
        if other_columns[: len(columns)] == columns
    ]
    assert not covered, f"indexes another one starts with: {covered}"
