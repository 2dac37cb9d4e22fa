"""The ledger's reads stay flat as its history grows (issue 18): PostgreSQL's plans, with
sequential scans discouraged (support/explain.py), of the queries the real requests send.

- a balance (`GET /v2/wallet`, the portal, a confirmation's wallet debit) reads the account's
  `Balance` rows through `ledger_balance_lane`, never `ledger_entry`;
- a ledger page (`GET /v2/wallet/ledger`, the portal's movements) reads one range of
  `ledger_entry_account_time`, already in the page's order (no sort of the history), and a
  cursor's page starts that range at the cursor (`created_at <=` in the index condition).

On a few rows a sort is cheap and the planner may take a bitmap scan and sort; with sorts
discouraged as well (`in_index_order`), a plan still sorts only if no index gives the order.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jackpot.ledger import services as ledger
from jackpot.partners.services import create_partner_user
from support.explain import assert_uses_index

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def history(make_partner):
    """Two partners' wallets with a few dozen movements each, the statistics up to date."""
    acme, beta = make_partner("acme"), make_partner("beta", domains=["beta.example"])
    for partner in (acme, beta):
        for n in range(30):
            ledger.credit_wallet(partner, n + 1, reference=f"VIR-{n}", created_by="test")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return acme


def ledger_selects(call) -> list[str]:
    """The SELECTs `call` sends that read the ledger's tables."""
    with CaptureQueriesContext(connection) as queries:
        call()
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "ledger_" in q["sql"]
    ]


def reading(selects: list[str], table: str) -> str:
    (sql,) = [s for s in selects if f'FROM "{table}"' in s]
    return sql


def assert_reads_kept_balance(selects: list[str]) -> None:
    assert not [s for s in selects if "ledger_entry" in s], selects
    assert_uses_index(reading(selects, "ledger_balance"), "ledger_balance_lane")


def test_the_wallet_api_reads_the_kept_balance_through_its_index(history, api_client):
    selects = ledger_selects(
        lambda: api_client.get("/v2/wallet", apikey=history.issued.apiKey),
    )
    assert_reads_kept_balance(selects)


def test_a_confirmations_wallet_debit_locks_and_reads_one_row_through_its_index(history):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert ledger.debit_wallet_if_covered(history, "1", reference="voucher:1") is not None
    (locking,) = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert '"ledger_balance"' in locking
    assert_uses_index(locking, "ledger_balance_lane")
    assert not [q for q in queries.captured_queries if 'FROM "ledger_entry"' in q["sql"]]


def test_the_portal_reads_the_kept_balance_through_its_index(history, client):
    profile, _ = create_partner_user(history, "alice", password="x" * 16, email="a@acme.example")
    client.force_login(profile.user)
    for page in ("/portal/", "/portal/wallet/"):
        selects = ledger_selects(lambda page=page: client.get(page))
        balance = [s for s in selects if 'FROM "ledger_balance"' in s]
        assert balance, page
        for sql in balance:
            assert_uses_index(sql, "ledger_balance_lane")
        assert not [s for s in selects if "SUM(" in s and "ledger_entry" in s], page


@pytest.fixture
def in_index_order():
    """Sorts discouraged until the test's transaction ends: a Sort left means no index orders."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")


def page_plan(api_client, partner, query: str) -> tuple[str, dict]:
    captured: dict = {}

    def call():
        captured["page"] = api_client.get(
            f"/v2/wallet/ledger?{query}", apikey=partner.issued.apiKey
        )[1]

    sql = reading(ledger_selects(call), "ledger_entry")
    return assert_uses_index(sql, "ledger_entry_account_time"), captured["page"]


def test_the_first_ledger_page_is_one_index_range_in_its_order(history, api_client, in_index_order):
    plan, page = page_plan(api_client, history, "limit=5")
    assert len(page["items"]) == 5 and page["hasMore"]
    assert "Sort" not in plan, plan  # the index gives the order: no sort of the history


def test_a_cursor_page_starts_its_index_range_at_the_cursor(history, api_client, in_index_order):
    _, first = page_plan(api_client, history, "limit=5")
    plan, page = page_plan(api_client, history, f"limit=5&cursor={first['nextCursor']}")
    assert [i["amount"] for i in page["items"]] == [25, 24, 23, 22, 21]
    assert "Sort" not in plan, plan
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("created_at <=" in line for line in conditions), plan


def test_the_portals_movements_are_one_index_range(history, client, in_index_order):
    profile, _ = create_partner_user(history, "alice", password="x" * 16, email="a@acme.example")
    client.force_login(profile.user)
    selects = ledger_selects(lambda: client.get("/portal/wallet/"))
    pages = [s for s in selects if 'FROM "ledger_entry"' in s and "ORDER BY" in s]
    assert pages
    for sql in pages:
        plan = assert_uses_index(sql, "ledger_entry_account_time")
        assert "Sort" not in plan, plan
