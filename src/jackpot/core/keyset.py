"""Walking a long list in chunks, each one short query that starts after the last row seen.

A file built from a partner's rows (a CSV export, a statement) is streamed: its rows are read
`chunk_size` at a time, so the process holds one chunk whatever the file's length, and no query
or transaction stays open while the client reads (a server-side cursor would hold a snapshot
for as long as the download lasts). Each chunk asks for the rows after the last one seen in the
walk's order, `(moment, pk)`, with the redundant bound `moment <= last` (or `>=`) so that the
database reads it as a range of the index on that order instead of filtering from its start.
"""

from collections.abc import Iterator

from django.db.models import Model, Q, QuerySet

from jackpot.core import cursors


def after(moment_field: str, moment, pk, descending: bool) -> Q:
    """Rows after (moment, pk) in the order `moment_field, pk` (both descending or not)."""
    if descending:
        return cursors.older(moment_field, moment, pk)  # the API's cursors, the same bound
    return Q(**{f"{moment_field}__gte": moment}) & (
        Q(**{f"{moment_field}__gt": moment}) | Q(**{moment_field: moment, "pk__gt": pk})
    )


def walk(queryset: QuerySet, moment_field: str, descending: bool, chunk_size: int) -> Iterator:
    """Every row of `queryset` ordered by `moment_field` then pk, read `chunk_size` at a time.

    Rows are model instances, or dicts from `.values(…)` naming the moment and "pk". The moment
    must never be null on these rows (a null cannot be compared to resume after).
    """
    sign = "-" if descending else ""
    ordered = queryset.order_by(f"{sign}{moment_field}", f"{sign}pk")
    last: Model | dict | None = None
    while True:
        chunk = ordered
        if last is not None:
            moment, pk = _position(last, moment_field)
            if moment is None:
                raise ValueError(f"{moment_field} is null on {last!r}: the walk cannot resume")
            chunk = ordered.filter(after(moment_field, moment, pk, descending))
        rows = list(chunk[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = rows[-1]


def _position(row: Model | dict, moment_field: str) -> tuple:
    if isinstance(row, dict):
        return row[moment_field], row["pk"]
    return getattr(row, moment_field), row.pk
