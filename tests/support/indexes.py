"""The name of an index the database made for a model's columns, to look for in a plan
(`support.explain.assert_uses_index`): Django names a field's `db_index` with a hash."""

from django.db import connection


def index_on(model, *columns: str) -> str:
    """The index (or unique constraint) of `model`'s table on exactly `columns`, in order."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    for name, details in constraints.items():
        if (details["index"] or details["unique"]) and details["columns"] == list(columns):
            return name
    raise AssertionError(f"no index on {model._meta.db_table}({', '.join(columns)})")
