"""What PostgreSQL's planner does with a query: the proof that a list stays flat as data grows.

A test database holds a few rows, where a sequential scan is always cheapest; with
`enable_seqscan = off` the planner takes an index whenever one can serve the query, and still
scans when none can. So a test that finds its index by name in the plan fails the day the index
or the query's shape changes, without needing millions of rows (issue: flat cost as data grows).
"""

from django.db import connection


def plan(query, params=()) -> str:
    """The text of `EXPLAIN` for a queryset or an SQL string, sequential scans discouraged."""
    if hasattr(query, "query"):  # a QuerySet
        sql, params = query.query.sql_with_params()
    else:
        sql = query
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


def assert_uses_index(query, index_name: str, params=()) -> str:
    """Fail unless the plan reads through `index_name` and scans no table whole."""
    text = plan(query, params)
    assert index_name in text, f"expected the plan to use {index_name}:\n{text}"
    assert "Seq Scan" not in text, f"a sequential scan is left in the plan:\n{text}"
    return text
