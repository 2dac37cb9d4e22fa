"""The hot path's statements, compiled by the ORM once per connection and run with new values.

Building a queryset and compiling it to SQL costs Django a third to a half of a millisecond of
CPU, more than PostgreSQL takes to run a lookup by a unique key or a one-row insert; the
session behind every API call, the partner behind every token, the rows a reservation locks and
writes would pay it on every request. Here the ORM still writes each statement, from a queryset
(or a model) built once per connection with example values; later calls send the same SQL with
their own values. The queryset or the model stays the one place the statement is written; only
the compiling is remembered.

- `CompiledQuery`: a SELECT; rows become model instances as the ORM's iterator makes them
  (field converters, `select_related` objects, annotations).
- `CompiledUpdate`: an UPDATE of a queryset (expressions allowed); gives the rows changed.
- `insert(obj)`: `obj.save(force_insert=True)`, the INSERT compiled once per model.
- `save(obj)`: `obj.save()` of a row already stored, every column, the UPDATE compiled once.

Examples must be distinctive values (a made-up string, a UUID, an odd Decimal or instant), each
reaching the parameters as itself or as the backend adapts its type, never equal to a constant
of the statement, so that the caller's values can take their places.

What a fixed statement cannot say is refused, never answered wrong (`NotCompilable`):
- when defined: an example that shapes the SQL rather than filling a placeholder: a list, tuple,
  set or queryset (`__in` writes one placeholder per item), a flag (`isnull=…`, and True/False are
  not distinctive), None (compiled as `IS NULL`), two equal examples;
- when compiled: an example that does not reach the parameters;
- when run: a None value (`= NULL` matches no row where the ORM would write `IS NULL`).
Such a statement belongs to the ORM, built on each call.

`JACKPOT_COMPILED_STATEMENTS` off (the setting, from the environment variable of that name) runs
every statement here through the plain ORM, the same querysets built and compiled on each call,
with the same refusals, so both ways accept the same calls; the test suite runs both (`.ci/run`).
"""

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import count

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.expressions import DatabaseDefault
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.transaction import TransactionManagementError

_names = count()
# Values whose SQL depends on them: they fill no placeholder a later call could refill.
_SHAPING = (list, tuple, set, frozenset, dict, QuerySet)


class NotCompilable(ValueError):
    """A statement (or a call) whose SQL would change with its values: the ORM's to build."""


def _compiling() -> bool:
    return settings.JACKPOT_COMPILED_STATEMENTS


def _refuse_examples(examples) -> None:
    for example in examples:
        if example is None:
            raise NotCompilable("None compiles to IS NULL, with no parameter to refill")
        if isinstance(example, bool):
            raise NotCompilable(f"{example!r}: a flag (isnull=…) shapes the SQL, and is no example")
        if isinstance(example, _SHAPING):
            raise NotCompilable(
                f"{example!r}: `__in` writes one placeholder per item, the length is in the SQL"
            )
    for i, example in enumerate(examples):
        if any(example == other for other in examples[i + 1 :]):
            raise NotCompilable(f"{example!r} is given twice: each example must be distinctive")


def _refuse_values(values) -> None:
    for position, value in enumerate(values):
        if value is None:
            raise NotCompilable(
                f"value #{position} is None: the statement compares `= NULL`, which matches no "
                "row (the ORM would write IS NULL); test for a missing value with the ORM"
            )


def _forms(example, connection) -> list[Callable]:
    """How a value of the example's type may be written into the parameters, most likely first."""
    forms = [lambda value: value]
    if isinstance(example, uuid.UUID):
        forms.append(lambda value: uuid.UUID(str(value)).hex)  # SQLite has no UUID type
    if isinstance(example, datetime):
        forms.append(connection.ops.adapt_datetimefield_value)
    return forms


@dataclass(frozen=True)
class _Slot:
    positions: tuple[int, ...]
    form: Callable


def _slots(examples, params: list, connection) -> list[_Slot]:
    slots = []
    for example in examples:
        for form in _forms(example, connection):
            written = form(example)
            positions = tuple(i for i, p in enumerate(params) if p == written)
            if positions:
                slots.append(_Slot(positions, form))
                break
        else:
            raise NotCompilable(f"{example!r} must be in the SQL parameters: {params!r}")
    return slots


def _refuse_lock_outside_transaction(locks: bool, connection) -> None:
    """As PostgreSQL's compiler does, on every backend (SQLite's ignores FOR UPDATE, so the
    mistake would only show in production)."""
    if locks and connection.get_autocommit():
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )


def _fill(params: list, slots: list[_Slot], values) -> list:
    params = params.copy()
    for slot, value in zip(slots, values, strict=True):
        written = slot.form(value)
        for position in slot.positions:
            params[position] = written
    return params


class _PerConnection(ABC):
    """A statement compiled on first use on each connection (each thread has its own wrapper,
    and a compiler belongs to the connection it was made for)."""

    def __init__(self):
        self._key = f"_jackpot_compiled_{next(_names)}"

    def _plan(self, connection, *args):
        plan = connection.__dict__.get(self._key)
        if plan is None:
            plan = self._compile(connection, *args)
            connection.__dict__[self._key] = plan
        return plan

    @abstractmethod
    def _compile(self, connection, *args):
        """The plan `_plan` keeps for this connection."""


@dataclass
class _SelectPlan:
    sql: str
    params: list
    slots: list[_Slot]
    compiler: object
    converters: dict
    model: type[Model]
    init_list: list[str]
    model_columns: slice
    related_populators: list
    annotations: dict[str, int]
    locks: bool


class CompiledQuery(_PerConnection):
    """`build(*values)` makes the queryset; `examples` are values of the right types."""

    def __init__(self, build: Callable[..., QuerySet], *examples):
        super().__init__()
        _refuse_examples(examples)
        self._build, self._examples = build, examples

    def _compile(self, connection) -> _SelectPlan:
        queryset = self._build(*self._examples)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()  # refuses a lock outside a transaction, as the ORM does
        select, klass_info = compiler.select, compiler.klass_info
        fields = [s[0] for s in select[: compiler.col_count]]
        columns = klass_info["select_fields"]
        model_columns = slice(columns[0], columns[-1] + 1)
        return _SelectPlan(
            sql=sql,
            params=list(params),
            slots=_slots(self._examples, list(params), connection),
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
        _refuse_values(values)
        connection = connections[using]
        if not _compiling():
            queryset = self._build(*values).using(using)
            _refuse_lock_outside_transaction(bool(queryset.query.select_for_update), connection)
            return list(queryset)
        plan = self._plan(connection)
        _refuse_lock_outside_transaction(plan.locks, connection)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, _fill(plan.params, plan.slots, values))
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


class CompiledUpdate(_PerConnection):
    """`build(*values)` gives (queryset, {field: value or expression}), as `.update()` takes."""

    def __init__(self, build: Callable[..., tuple[QuerySet, dict]], *examples):
        super().__init__()
        _refuse_examples(examples)
        self._build, self._examples = build, examples

    def _compile(self, connection) -> tuple[str, list, list[_Slot]]:
        queryset, changes = self._build(*self._examples)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        sql, params = query.get_compiler(connection=connection).as_sql()
        return sql, list(params), _slots(self._examples, list(params), connection)

    def __call__(self, *values, using: str = DEFAULT_DB_ALIAS) -> int:
        """Run the UPDATE with these values; the number of rows it changed."""
        _refuse_values(values)
        if not _compiling():
            queryset, changes = self._build(*values)
            return queryset.using(using).update(**changes)
        connection = connections[using]
        sql, params, slots = self._plan(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, _fill(params, slots, values))
            return cursor.rowcount


@dataclass
class _InsertPlan:
    sql: str
    compiler: object
    fields: list
    returning: list
    converters: dict


class _Insert(_PerConnection):
    def __init__(self, model: type[Model]):
        super().__init__()
        self.model = model

    def _compile(self, connection, obj) -> _InsertPlan:
        meta = self.model._meta
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        query = InsertQuery(self.model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = meta.db_returning_fields
        [(sql, _)] = compiler.as_sql()
        columns = [f.get_col(meta.db_table) for f in compiler.returning_fields]
        return _InsertPlan(
            sql, compiler, fields, compiler.returning_fields, compiler.get_converters(columns)
        )

    def run(self, obj: Model, using: str) -> bool:
        connection = connections[using]
        plan = self._plan(connection, obj)
        params = [
            plan.compiler.prepare_value(f, plan.compiler.pre_save_val(f, obj)) for f in plan.fields
        ]
        if any(hasattr(p, "resolve_expression") for p in params):
            return False  # an expression writes its own SQL: the ORM's turn
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            if not plan.returning:
                return True
            row = connection.ops.fetch_returned_insert_columns(
                cursor, plan.compiler.returning_params
            )
        if plan.converters:
            row = next(iter(plan.compiler.apply_converters([row], plan.converters)))
        for value, field in zip(row, plan.returning, strict=True):
            setattr(obj, field.attname, value)
        return True


class _Update(_PerConnection):
    """UPDATE of every column of one row, found by its primary key; written from the model's
    columns, as Django's update compiler writes a None as a literal NULL (the SQL would vary)."""

    def __init__(self, model: type[Model]):
        super().__init__()
        self.model = model

    def _compile(self, connection) -> tuple[str, list] | None:
        meta, name = self.model._meta, connection.ops.quote_name
        fields = [f for f in meta.local_concrete_fields if not f.primary_key]
        if any(hasattr(f, "get_placeholder") for f in fields):
            return None  # a column written by its own SQL: the ORM's turn
        columns = ", ".join(f"{name(f.column)} = %s" for f in fields)
        where = f"{name(meta.pk.column)} = %s"
        sql = f"UPDATE {name(meta.db_table)} SET {columns} WHERE {where}"  # noqa: S608 - quoted names from the model, values bound
        return sql, fields

    def run(self, obj: Model, using: str) -> bool:
        connection = connections[using]
        plan = self._plan(connection)
        if plan is None:
            return False
        sql, fields = plan
        params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
        if any(hasattr(p, "resolve_expression") for p in params):
            return False
        params.append(self.model._meta.pk.get_db_prep_value(obj.pk, connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount == 1


def _saves_itself(model: type[Model]) -> bool:
    """What a compiled statement would skip: an own `save()`, save signals, inherited tables."""
    return (
        model.save is not Model.save
        or bool(model._meta.parents)
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
    )


_inserts: dict[type[Model], _Insert] = {}
_updates: dict[type[Model], _Update] = {}


def save(obj: Model, using: str = DEFAULT_DB_ALIAS) -> Model:
    """Write every column of an existing row, as `obj.save()` does, without recompiling it.

    Falls back to `save()` for what the compiled UPDATE would skip (see `insert`), or when no
    row was there to update (`save()` then decides, as it always does).
    """
    model = type(obj)
    if not _compiling() or obj._state.adding or obj.pk is None or _saves_itself(model):
        obj.save(using=using)
        return obj
    compiled = _updates.get(model)
    if compiled is None:
        compiled = _updates.setdefault(model, _Update(model))
    if not compiled.run(obj, using):
        obj.save(using=using)
    return obj


def insert(obj: Model, using: str = DEFAULT_DB_ALIAS) -> Model:
    """Insert `obj` as `obj.save(force_insert=True)` does, without compiling the INSERT again.

    Falls back to `save()` for what a compiled INSERT would skip: a model with its own `save()`,
    save signals (the catalogue's kept copy listens to some models), database defaults, values
    that are expressions, or inherited tables.
    """
    model = type(obj)
    meta = model._meta
    if (
        not _compiling()
        or _saves_itself(model)
        or any(isinstance(getattr(obj, f.attname), DatabaseDefault) for f in meta.concrete_fields)
        or (meta.auto_field is not None and getattr(obj, meta.auto_field.attname) is not None)
    ):
        obj.save(force_insert=True, using=using)
        return obj
    if meta.pk.attname and getattr(obj, meta.pk.attname) is None and meta.auto_field is None:
        setattr(obj, meta.pk.attname, meta.pk.get_pk_value_on_save(obj))
    compiled = _inserts.get(model)
    if compiled is None:
        compiled = _inserts.setdefault(model, _Insert(model))
    if not compiled.run(obj, using):
        obj.save(force_insert=True, using=using)
        return obj
    obj._state.adding = False
    obj._state.db = using
    return obj
