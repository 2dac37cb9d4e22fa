"""What PostgreSQL's planner does with a query: the proof that a list stays flat as data grows.

A test database holds a few rows, where a sequential scan is always cheapest; with
`enable_seqscan = off` the planner takes an index whenever one can serve the query, and still
scans when none can. So a test that finds its index by name in the plan fails the day the index
or the query's shape changes, without needing millions of rows (issue: flat cost as data grows).
"""

from django.db import connection


def plan(query, params=(), ordered: bool = False) -> str:
    """The text of `EXPLAIN` for a queryset or an SQL string, sequential scans discouraged.

    `ordered`: sorts and bitmap scans discouraged too, so that on a few rows (where sorting
    them is cheapest) the planner still reads an index that gives the query's order when one
    does: a Sort left in the plan then means that no index gives it.
    """
    if hasattr(query, "query"):  # a QuerySet
        sql, params = query.query.sql_with_params()
    else:
        sql = query
    switches = ["enable_seqscan", *(["enable_sort", "enable_bitmapscan"] if ordered else [])]
    with connection.cursor() as cursor:
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for switch in switches:
                cursor.execute(f"SET LOCAL {switch} = on")


def assert_uses_index(
    query, index_name: str | tuple[str, ...], params=(), ordered: bool = False
) -> str:
    """Fail unless the plan reads through `index_name` (or one of several indexes that serve
    the query equally, between which the planner's statistics decide) and scans no table
    whole."""
    names = (index_name,) if isinstance(index_name, str) else index_name
    text = plan(query, params, ordered)
    assert any(name in text for name in names), f"expected the plan to use {names}:\n{text}"
    assert "Seq Scan" not in text, f"a sequential scan is left in the plan:\n{text}"
    return text
