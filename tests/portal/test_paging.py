"""Keyset pages (portal.paging): walking a list either way shows each row once, in the list's
order, rows sharing a moment included; the links say where the ends are, and a page reached by
"next" gives back, by "previous", exactly the page before it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jackpot.core import cursors
from jackpot.portal import paging
from jackpot.vouchers.models import Statement

pytestmark = pytest.mark.django_db
ORDER = paging.Order("issued_at", key_type=int)
START = datetime(2025, 1, 1, tzinfo=UTC)


def make_statements(partner, hours: list[int]) -> list[int]:
    """Statements issued `hours` after START (equal hours: one moment), their ids newest first."""
    Statement.objects.bulk_create(
        Statement(
            partner=partner,
            period_start=START,
            period_end=START,
            total=Decimal("1.00"),
            issued_at=START + timedelta(hours=h),
        )
        for h in hours
    )
    rows = Statement.objects.filter(partner=partner).order_by("-issued_at", "-id")
    return list(rows.values_list("pk", flat=True))


def walk(partner, size: int, first: dict, way: str) -> list[paging.Page]:
    """Every page from `first` on, following the links `way` ("next" or "previous")."""
    rows = Statement.objects.filter(partner=partner)
    pages = [paging.page(rows, ORDER, first, size)]
    while getattr(pages[-1], way):
        pages.append(paging.page(rows, ORDER, pages[-1].link(way), size))
    return pages


def ids(pages) -> list[int]:
    return [row.pk for page in pages for row in page]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(hours=st.lists(st.integers(0, 4), max_size=23), size=st.integers(1, 6))
def test_walking_either_way_shows_every_row_once_in_order(acme, hours, size):
    with transaction.atomic():
        expected = make_statements(acme, hours)
        forward = walk(acme, size, {}, "next")
        assert ids(forward) == expected
        assert forward[0].previous is None and forward[-1].next is None
        assert all(p.previous for p in forward[1:]) and all(p.next for p in forward[:-1])
        assert all(len(p) == size for p in forward[:-1])
        backward = walk(acme, size, {"at": "last"}, "previous")
        assert ids(reversed(backward)) == expected
        assert backward[0].next is None and backward[-1].previous is None
        for before, page in zip(forward, forward[1:], strict=False):
            rows = Statement.objects.filter(partner=acme)
            back = paging.page(rows, ORDER, page.link("previous"), size)
            assert [r.pk for r in back] == [r.pk for r in before]
        transaction.set_rollback(True)


def test_a_list_on_one_page_has_no_links(acme):
    make_statements(acme, [1, 2])
    page = paging.page(Statement.objects.all(), ORDER, {}, 5)
    assert len(page) == 2 and page.only_page


@pytest.mark.parametrize(
    "cursor",
    ["", "not a cursor", cursors.encode(START, "a-uuid-not-an-int"), "eyJ9", "x" * 500],
)
def test_an_unreadable_cursor_gives_the_first_page(acme, cursor):
    expected = make_statements(acme, [1, 2, 3])
    for name in ("after", "before"):
        page = paging.page(Statement.objects.all(), ORDER, {name: cursor}, 2)
        assert [r.pk for r in page] == expected[:2] and page.previous is None


def test_a_cursor_past_the_end_is_an_empty_page_offering_the_first(acme):
    expected = make_statements(acme, [1, 2, 3])
    oldest = Statement.objects.get(pk=expected[-1])
    page = paging.page(Statement.objects.all(), ORDER, {"after": ORDER.cursor(oldest)}, 2)
    assert list(page) == [] and page.stray and not page.only_page


def test_two_lists_on_one_page_keep_their_own_parameters(acme):
    make_statements(acme, [1, 2, 3])
    first = paging.page(Statement.objects.all(), ORDER, {}, 2, prefix="statements_")
    assert list(first.link("next")) == ["statements_after"]
    assert first.link("last") == {"statements_at": "last"}
    # The other list's parameters are not this one's: its first page still.
    page = paging.page(Statement.objects.all(), ORDER, {"after": first.next}, 2, "statements_")
    assert [r.pk for r in page] == [r.pk for r in first]


def test_an_oldest_first_list(acme):
    expected = make_statements(acme, [3, 1, 2, 2])
    oldest_first = paging.Order("issued_at", key_type=int, newest_first=False)
    rows = Statement.objects.all()
    first = paging.page(rows, oldest_first, {}, 3)
    second = paging.page(rows, oldest_first, first.link("next"), 3)
    assert [r.pk for r in first] + [r.pk for r in second] == expected[::-1]
