"""Every portal list, search and aggregate reads an index (PostgreSQL EXPLAIN; issue 18).

Each test opens a portal page with Django's client, takes the SQL it ran on the tables that grow
with the platform (vouchers, statements, the daily roll-up, the outbox and its deliveries and
attempts, the ledger's entries) and asks PostgreSQL's plan of each with sequential scans
discouraged (support/explain.py): none may scan a table whole, the list's own statement reads
the index named, and a keyset page comes in the index's order (no Sort), its cursor bounding the
index range: a page two years back costs what the first page costs.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jackpot.ledger import services as ledger
from jackpot.partners.models import Partner
from jackpot.partners.services import create_partner_user
from jackpot.portal.views import NEWEST
from jackpot.vouchers import reservation
from jackpot.vouchers.models import Voucher
from jackpot.vouchers.rollup import rebuild
from support.explain import plan
from support.reservations import new_session
from support.volume import made_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

GROWING_TABLES = (
    r"(vouchers_voucher|vouchers_statement|vouchers_dailytotal|webhooks_outboxevent"
    r"|webhooks_delivery|webhooks_attempt|ledger_entry|ledger_transaction)\b"
)
GROWING = re.compile(rf'FROM "{GROWING_TABLES}"')
LIST = "LIMIT 26"  # a page of 25 rows and one more (portal.views.PAGE_SIZE)


@pytest.fixture(scope="module")
def vouchers(django_db_setup, django_db_blocker):
    """Two years of beta (19,000 vouchers) and of acme (1,000, support.volume), their daily
    roll-up, sixty wallet top-ups of acme and three vouchers of today it is notified of; made
    once for the module, in a transaction rolled back after its last test. Acme's, newest first.

    Acme is one partner among many: a scan of an index over every partner's vouchers, filtered to
    acme's, would read twenty rows for each of acme's, and the plans must not do that."""
    with django_db_blocker.unblock(), made_once({"beta": 19000, "acme": 1000}):
        rebuild()
        acme = Partner.objects.get(pk="acme")
        for n in range(60):
            ledger.credit_wallet(acme, "10.00", reference=f"wire-{n}", created_by="test")
        Partner.objects.filter(pk="acme").update(notification_url="https://hooks.acme.example/j")
        acme.refresh_from_db()
        for _ in range(3):
            reservation.reserve(
                new_session(acme), "sportmax", "sportmax-launch", by="value", amount=Decimal(30)
            )
        create_partner_user(acme, "alice", password="x" * 16)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield list(Voucher.objects.filter(partner=acme).order_by(*NEWEST.fields()))


@pytest.fixture
def alice_client(client, vouchers, django_user_model):
    client.force_login(django_user_model.objects.get(username="alice"))
    return client


def plans(client, name: str, params=None, args=()) -> dict[str, str]:
    """The plan of each statement the page ran on a growing table, by its SQL; none scans."""
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(f"portal:{name}", args=args), params or {})
    assert response.status_code == 200
    found = {q["sql"]: plan(q["sql"]) for q in ran.captured_queries if GROWING.search(q["sql"])}
    scans = [text for text in found.values() if "Seq Scan" in text or walks(text)]
    assert not scans, "\n\n".join(scans)
    return found


def walks(text: str) -> list[str]:
    """The index scans of a growing table that read the whole index (no `Index Cond`)."""
    nodes = re.split(r"\n(?=\s*->)", text)
    return [
        node
        for node in nodes
        if re.search(rf"Index .*Scan.* on {GROWING_TABLES}", node.split("\n")[0])
        and "Index Cond" not in node
    ]


def the_list(found: dict[str, str], limit: str = LIST) -> str:
    (text,) = [text for sql, text in found.items() if sql.endswith(limit)]
    return text


def in_order(found: dict[str, str], limit: str = LIST) -> str:
    """The plan of the page's list with sorts and bitmap scans discouraged too: a Sort left in
    it means no index gives the list's order, and a deep page would sort every row before it."""
    (sql,) = [sql for sql in found if sql.endswith(limit)]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        try:
            text = plan(sql)
        finally:
            cursor.execute("SET LOCAL enable_sort = on")
            cursor.execute("SET LOCAL enable_bitmapscan = on")
    assert "Sort" not in text and "Seq Scan" not in text, text
    return text


def reads(text: str, index: str) -> str:
    """The index condition of the plan's read of `index` (the plan must read it)."""
    found = re.search(rf"using {index} on \w+.*\n\s+Index Cond: (.*)", text)
    assert found, f"the plan does not read {index}:\n{text}"
    return found.group(1)


@pytest.mark.parametrize(
    "filters, index",
    [
        ({}, "voucher_partner_newest"),
        ({"state": "EXPIRED"}, "voucher_partner_state"),
        ({"payment": "DUE"}, "voucher_partner_payment"),
        ({"store": "bookly"}, "voucher_store_partner"),
        ({"date_from": "2025-01-01", "date_to": "2025-06-30"}, "voucher_partner_newest"),
    ],
)
def test_each_filter_of_the_coupon_list_reads_its_index_first_deep_and_last(
    alice_client, vouchers, filters, index
):
    deep = NEWEST.cursor(vouchers[700])  # some 16 months back
    for page, bound in [({}, None), ({"after": deep}, "<="), ({"before": deep}, ">=")]:
        text = in_order(plans(alice_client, "coupons", {**filters, **page}))
        # The cursor's moment starts the index range: no newer row is read to get there.
        condition = reads(text, index)
        assert bound is None or f"reservation_date {bound}" in condition, text
    text = in_order(plans(alice_client, "coupons", {**filters, "at": "last"}))
    assert re.search(rf"Index Scan Backward using {index}", text), text


def test_each_kind_of_search_reads_the_index_of_its_identifier(alice_client, vouchers):
    voucher = vouchers[0]  # one made by the services: a couponId of ten letters
    kinds = {
        voucher.coupon_id.lower(): ["vouchers_voucher_coupon_id_"],  # its unique index
        str(voucher.pk): ["vouchers_voucher_pkey"],
        voucher.notification_key: ["voucher_notification_key_once"],
    }
    for text, extra in kinds.items():
        found = the_list(plans(alice_client, "coupons", {"q": text}))
        # Every identifier is looked up through its own index, the results merged.
        for index in [
            "voucher_notification_key_once",
            "voucher_partner_user",
            "voucher_partner_transaction",
            *extra,
        ]:
            assert index in found, f"{text}: no {index}:\n{found}"


def test_a_vouchers_page_finds_its_notifications_and_their_attempts_by_index(
    alice_client, vouchers
):
    voucher = vouchers[0]
    found = plans(alice_client, "coupon", args=[voucher.pk])
    for table, columns in [
        ("webhooks_outboxevent", r"partner_id.* AND .*notification_key"),  # one index, both
        ("webhooks_delivery", r"event_id = "),  # by the events' ids
        ("webhooks_attempt", r"delivery_id = "),  # by the deliveries' ids
    ]:
        (text,) = [text for sql, text in found.items() if sql.startswith(f'SELECT "{table}"')]
        assert re.search(rf"Index Cond: \(*{columns}", text), text


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_dashboard_reads_the_daily_rollup_and_indexes_only(alice_client, vouchers, days):
    found = plans(alice_client, "dashboard", {"days": days})
    rollup = [text for sql, text in found.items() if 'FROM "vouchers_dailytotal"' in sql]
    assert len(rollup) == 3, found  # the totals, by day, by store
    for text in rollup:
        assert "day >=" in reads(text, "daily_total_once"), text
    assert not [sql for sql in found if "SUM(" in sql and "vouchers_voucher" in sql], found


def test_the_waiting_and_refund_lists_read_their_indexes(alice_client, vouchers):
    # The waiting list reads RESERVED vouchers through an index (`plans` sees no scan): as many
    # as reservations alive at once, whatever the history; the refunds list its partial index.
    the_list(plans(alice_client, "pending"), "LIMIT 51")
    reads(in_order(plans(alice_client, "refunds")), "voucher_partner_refunds")


def test_the_wallet_pages_its_statements_and_movements_through_indexes(alice_client, vouchers):
    found = plans(alice_client, "wallet")
    reads(in_order(found, "LIMIT 13"), "statement_partner_newest")  # 12 statements a page
    in_order(found)  # the movements, 25 a page
