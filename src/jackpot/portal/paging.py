"""Keyset pagination of the portal's lists: no `COUNT(*)`, no `OFFSET`, whatever their size.

A list is ordered by a moment and the row's id (`Order`), newest first for most lists. A page is
the rows just after (or just before) a row of the list, named in the link by that row's moment
and id (`core.cursors`); it is one read of `size + 1` rows along an index on
(partner, [filter,] moment, id) plus a one-row look the other way (is there a page before this
one?), as cheap on the last page of three million rows as on the first. Page numbers and a total
would need counting every row, so a page says where it is by its first and last moments instead.

The query string says which page (links stay bookmarkable, the filters beside them are kept):
none: the first page; `after=<cursor>`: the page after that row; `before=<cursor>`: the page
before it; `at=last`: the last page. An unreadable cursor is ignored (the first page), as the
portal ignores an invalid filter.

The row comparison `(moment, id) < (m, x)` is written `moment <= m AND (moment < m OR (moment = m
AND id < x))`: the redundant first bound is what lets the database start the index range at `m`
rather than walking the index from its first row and discarding rows one by one.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from jackpot.core import cursors

PARAMETERS = ("after", "before", "at")  # what a pagination link changes; filters stay


@dataclass(frozen=True)
class Order:
    """A list's order: by `moment` (an ORM path) then the primary key, both descending when
    `newest_first`; `key_type` is the primary key's type (a cursor holds one)."""

    moment: str
    key_type: type = uuid.UUID
    newest_first: bool = True

    def fields(self, reverse: bool = False) -> list[str]:
        sign = "-" if self.newest_first != reverse else ""
        return [f"{sign}{self.moment}", f"{sign}pk"]

    def beyond(self, moment: datetime, key, reverse: bool = False) -> Q:
        """The rows after (moment, key) in this order (before it when `reverse`)."""
        strict, loose = ("lt", "lte") if self.newest_first != reverse else ("gt", "gte")
        return Q(**{f"{self.moment}__{loose}": moment}) & (
            Q(**{f"{self.moment}__{strict}": moment})
            | Q(**{self.moment: moment, f"pk__{strict}": key})
        )

    def cursor(self, row) -> str:
        return cursors.encode(_value(row, self.moment), row.pk)

    def read(self, text: str | None):
        """The (moment, key) of a cursor `cursor` wrote; None for anything else."""
        if not text:
            return None
        try:
            return cursors.decode(text, self.key_type)
        except cursors.CursorError:
            return None


def _value(row, path: str):
    for name in path.split("__"):
        row = getattr(row, name)
    return row


@dataclass
class Page:
    """One page of a list; `previous` and `next` are the cursors of the pages around it."""

    rows: list
    order: Order
    prefix: str = ""  # of its query parameters, when a page shows two lists
    previous: str | None = None  # ?before= this gives the page before; None on the first page
    next: str | None = None  # ?after= this gives the page after; None on the last page
    stray: bool = False  # an empty page reached by a cursor: nothing before or after it

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def link(self, which: str) -> dict[str, str]:
        """The query parameters of the page `which` ("first", "previous", "next", "last")."""
        if which == "previous" and self.previous:
            return {f"{self.prefix}before": self.previous}
        if which == "next" and self.next:
            return {f"{self.prefix}after": self.next}
        return {f"{self.prefix}at": "last"} if which == "last" else {}

    @property
    def object_list(self) -> list:
        return self.rows

    @property
    def only_page(self) -> bool:
        return self.previous is None and self.next is None and not self.stray

    @property
    def first_moment(self):
        return _value(self.rows[0], self.order.moment) if self.rows else None

    @property
    def last_moment(self):
        return _value(self.rows[-1], self.order.moment) if self.rows else None


def page(rows: QuerySet, order: Order, params, size: int, prefix: str = "") -> Page:
    """The page of `rows` (already filtered) that the query parameters `params` ask for."""
    after = order.read(params.get(f"{prefix}after"))
    before = order.read(params.get(f"{prefix}before"))
    backwards = before is not None or (after is None and params.get(f"{prefix}at") == "last")
    mark = before if backwards else after
    found = rows.filter(order.beyond(*mark, reverse=backwards)) if mark else rows
    found = list(found.order_by(*order.fields(reverse=backwards))[: size + 1])
    more = len(found) > size  # a further page in the direction read
    found = found[:size]
    if backwards:
        found.reverse()
    result = Page(found, order, prefix)
    if not found:
        result.stray = mark is not None  # past either end (a hand-made link): offer the first
        return result
    # Going one way, whether more lies that way is known from the extra row read; whether any lies
    # the other way is in doubt only when a cursor brought the user here: a one-row probe.
    if backwards:
        has_previous = more
        has_next = mark is not None and _beyond(rows, order, found[-1])
    else:
        has_next = more
        has_previous = mark is not None and _beyond(rows, order, found[0], reverse=True)
    result.previous = order.cursor(found[0]) if has_previous else None
    result.next = order.cursor(found[-1]) if has_next else None
    return result


def _beyond(rows: QuerySet, order: Order, row, reverse: bool = False) -> bool:
    """Whether a row of the list lies past `row` (before it when `reverse`): one index probe."""
    return rows.filter(order.beyond(_value(row, order.moment), row.pk, reverse=reverse)).exists()
