"""Migration operations that change the indexes of big tables while they serve.

Django's own operations are right for a fresh database but costly on one holding millions of
rows: `AddIndex` builds under a lock that stops every write to the table for the whole build,
and turning a foreign key's `db_index` off with `AlterField` drops and re-adds the foreign-key
constraint, which checks every row again (PostgreSQL), or copies the table (SQLite). These do
the same work the way a live database takes it:

- `AddIndexOnline`: `AddIndex`, built `CONCURRENTLY` on PostgreSQL (writes go on during the
  build); a build that failed half-way leaves an invalid index of that name, dropped first so
  that the migration can simply be run again. Plain `CREATE INDEX` on other databases.
- `DropFieldIndexes`: drops, by the names Django gave them, the single-column indexes a field's
  `db_index=True` or `unique=True` made, without touching the column or its constraints. With
  `pattern_only` it drops only the `…_like` index (`varchar_pattern_ops`) that PostgreSQL gets
  beside each indexed `varchar` column, which serves nothing but `LIKE 'prefix%'` comparisons.
  It changes no model state: pair it with an `AlterField(db_index=False)` in the
  `state_operations` of a `SeparateDatabaseAndState` when the whole index goes; with
  `pattern_only` the field keeps its declaration, and a later `AlterField` that rebuilds the
  field's index on PostgreSQL makes the `_like` index again (drop it again in that migration).

Migrations using them declare `atomic = False` (PostgreSQL builds and drops concurrently only
outside a transaction); each statement is complete on its own, so a migration interrupted
half-way is simply run again.
"""

from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex
from django.db.migrations.operations.base import Operation


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _drop(schema_editor, model, name: str) -> None:
    if _postgresql(schema_editor):
        sql = schema_editor._delete_index_sql(model, name, concurrently=True)
    else:
        sql = schema_editor._delete_index_sql(model, name, sql="DROP INDEX IF EXISTS %(name)s")
    schema_editor.execute(sql)


class AddIndexOnline(AddIndex):
    """`AddIndex` without stopping writes on PostgreSQL (`CREATE INDEX CONCURRENTLY`)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _postgresql(schema_editor):
            if schema_editor.connection.in_atomic_block:
                raise NotSupportedError(
                    "an index built CONCURRENTLY needs a migration with atomic = False"
                )
            _drop(schema_editor, model, self.index.name)  # an invalid leftover of a failed build
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _drop(schema_editor, model, self.index.name)

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} without stopping writes"


class DropFieldIndexes(Operation):
    """Database only: drop the indexes Django made for one field (see the module's docstring)."""

    reversible = True

    def __init__(self, model_name: str, field_name: str, pattern_only: bool = False):
        self.model_name, self.field_name, self.pattern_only = model_name, field_name, pattern_only

    def deconstruct(self):
        kwargs = {"pattern_only": True} if self.pattern_only else {}
        return self.__class__.__qualname__, [self.model_name, self.field_name], kwargs

    def state_forwards(self, app_label, state):
        """The model's declaration is not changed here (see the module's docstring)."""

    def _names(self, schema_editor, model, field) -> list[str]:
        table, columns = model._meta.db_table, [field.column]
        names = [] if self.pattern_only else [schema_editor._create_index_name(table, columns)]
        if _postgresql(schema_editor):
            names.append(schema_editor._create_index_name(table, columns, suffix="_like"))
        return names

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.field_name)
        for name in self._names(schema_editor, model, field):
            _drop(schema_editor, model, name)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.field_name)
        if not self.pattern_only:
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        if _postgresql(schema_editor):
            like = schema_editor._create_like_index_sql(model, field)
            if like is not None:
                schema_editor.execute(like)

    def describe(self):
        which = "the LIKE index" if self.pattern_only else "the indexes"
        return f"Drop {which} of {self.model_name}.{self.field_name}"

    @property
    def migration_name_fragment(self):
        return f"drop_{self.model_name.lower()}_{self.field_name}_indexes"
