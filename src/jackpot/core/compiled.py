"""The hot lookups' SELECTs, compiled by the ORM once per connection and run with new values.

Building a queryset and compiling it to SQL costs Django about half a millisecond of CPU, more
than PostgreSQL takes to answer a lookup by a unique key; the session behind every API call,
the partner behind every token and the rows a reservation locks would pay it on each request.
A `CompiledQuery` lets the ORM write the query once, from a queryset built with example values,
then sends the same SQL with the caller's values and turns rows into model instances the way the
ORM's own iterator does (field converters, `select_related` objects, annotations). The queryset
stays the one place the query is written; only the compiling is remembered.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

_names = count()


@dataclass
class _Plan:
    sql: str
    params: list
    slots: list[tuple[int, Callable]]  # where each caller's value goes in params, and as what
    compiler: object
    converters: dict
    model: type[Model]
    init_list: list[str]
    model_columns: slice
    related_populators: list
    annotations: dict[str, int]
    locks: bool


def _same(value):
    return value


def _uuid_hex(value):
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex


def _slot(example, params: list) -> tuple[int, Callable]:
    """Where `example` went in the parameters, and how a value is written there (a UUID is
    itself on PostgreSQL, its hex on SQLite)."""
    forms = [_same] + ([_uuid_hex] if isinstance(example, uuid.UUID) else [])
    for form in forms:
        found = [i for i, p in enumerate(params) if p == form(example)]
        if len(found) == 1:
            return found[0], form
        if found:
            break
    raise ValueError(f"{example!r} must be in the SQL parameters once: {params!r}")


class CompiledQuery:
    """`build(*values)` makes the queryset; `examples` are distinct values of the right types.

    Each example must reach the SQL parameters unchanged and only once (a filter on a column
    by equality does), so that the caller's values can take their places.
    """

    def __init__(self, build: Callable[..., QuerySet], *examples):
        self._build = build
        self._examples = examples
        self._key = f"_jackpot_compiled_{next(_names)}"

    def _plan(self, connection) -> _Plan:
        # Kept on the connection wrapper: each thread has its own, as the compiler expects.
        plan = connection.__dict__.get(self._key)
        if plan is None:
            plan = self._compile(connection)
            connection.__dict__[self._key] = plan
        return plan

    def _compile(self, connection) -> _Plan:
        queryset = self._build(*self._examples)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()  # refuses a lock outside a transaction, as the ORM does
        params = list(params)
        slots = [_slot(example, params) for example in self._examples]
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[: compiler.col_count]]
        columns = klass_info["select_fields"]
        model_columns = slice(columns[0], columns[-1] + 1)
        return _Plan(
            sql=sql,
            params=params,
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[model_columns]],
            model_columns=model_columns,
            related_populators=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map or {}),
            locks=bool(queryset.query.select_for_update),
        )

    def all(self, *values, using: str = DEFAULT_DB_ALIAS) -> list:
        connection = connections[using]
        plan = self._plan(connection)
        if plan.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = plan.params.copy()
        for (slot, form), value in zip(plan.slots, values, strict=True):
            params[slot] = form(value)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        objects = []
        for row in rows:
            obj = plan.model.from_db(using, plan.init_list, row[plan.model_columns])
            for populator in plan.related_populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *values, using: str = DEFAULT_DB_ALIAS):
        """The first object (the queryset should be ordered or unique), or None."""
        found = self.all(*values, using=using)
        return found[0] if found else None
