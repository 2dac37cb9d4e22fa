"""GET /v2/statements: cursor-paginated as the other lists, each statement with the number of
vouchers it lists (kept on the statement as vouchers join and leave it: no count per page)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jackpot.vouchers import payments
from jackpot.vouchers.models import Statement
from support.payments import BOOKLY, EVER, forever, refunded


def issued(partner, money, vouchers: int) -> Statement:
    """A statement listing `vouchers` newly confirmed (DUE) vouchers."""
    for _ in range(vouchers):
        money.confirmed(partner, BOOKLY, 20)
    return payments.issue_statement(partner, EVER, forever(), "operator")


def walk(money, partner, limit: int) -> list[dict]:
    seen, cursor = [], None
    while True:
        query = f"/v2/statements?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        status, page = money.get(partner, query)
        assert status == 200, page
        assert page["hasMore"] is (page["nextCursor"] is not None)
        seen += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return seen


def test_a_cursor_walks_every_statement_once_newest_first(manual, money):
    made = [issued(manual, money, vouchers=n % 3 + 1) for n in range(5)]
    # Two statements issued at the same instant: the id breaks the tie.
    same = timezone.now() - timedelta(days=1)
    Statement.objects.filter(pk__in=[made[1].pk, made[3].pk]).update(issued_at=same)

    seen = walk(money, manual, limit=2)

    assert sorted(s["id"] for s in seen) == sorted(s.pk for s in made)
    keys = [(s["issuedAt"], s["id"]) for s in seen]
    assert keys == sorted(keys, reverse=True)
    assert {s["id"]: s["vouchers"] for s in seen} == {s.pk: n % 3 + 1 for n, s in enumerate(made)}
    assert walk(money, manual, limit=200) == seen  # one page or many: the same list


def test_the_list_counts_vouchers_without_a_query_per_statement(manual, money):
    issued(manual, money, vouchers=1)
    with CaptureQueriesContext(connection) as one:
        assert len(money.get(manual, "/v2/statements")[1]["items"]) == 1
    for _ in range(3):
        issued(manual, money, vouchers=2)
    with CaptureQueriesContext(connection) as four:
        status, page = money.get(manual, "/v2/statements")
    assert status == 200 and [s["vouchers"] for s in page["items"]] == [2, 2, 2, 1]
    assert len(four) == len(one)


def test_a_refunded_voucher_leaves_its_statements_count(manual, money):
    kept = money.confirmed(manual, BOOKLY, 20)
    gone = money.confirmed(manual, BOOKLY, 50)
    statement = payments.issue_statement(manual, EVER, forever(), "operator")
    refunded(manual, money, gone["id"])

    status, page = money.get(manual, "/v2/statements")
    assert status == 200 and page["items"][0]["vouchers"] == 1
    assert money.get(manual, f"/v2/statements/{statement.pk}")[1]["vouchers"] == 1
    assert kept["id"] in "".join(payments.statement_lines(statement))
    statement.refresh_from_db()
    assert statement.voucher_count == statement.vouchers.count() == 1


def test_a_cursor_of_another_list_is_refused(manual, money):
    money.reserve()
    money.reserve()
    status, vouchers = money.get(manual, "/v2/vouchers?limit=1")
    assert status == 200 and vouchers["nextCursor"]

    status, problem = money.get(manual, f"/v2/statements?cursor={vouchers['nextCursor']}")

    assert status == 422 and problem["errors"] == [
        {"field": "cursor", "message": "is not a cursor this API gave"}
    ]
