"""Schema changes that a live database with millions of rows takes without stopping its writers.

`CREATE INDEX` holds a lock that blocks every insert and update of the table until the index is
built (minutes on ten million vouchers); `CREATE INDEX CONCURRENTLY` does not, which is what
docs/deploy.md asks of a new index on a large table. PostgreSQL builds it outside a transaction,
so a migration using `AddIndexConcurrently` declares `atomic = False`; SQLite (development and
tests) has no such lock to avoid and builds it the plain way.
"""

from django.db import NotSupportedError, migrations


class AddIndexConcurrently(migrations.AddIndex):
    """`AddIndex`, built `CONCURRENTLY` on PostgreSQL (the migration must be `atomic = False`)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **_concurrently(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **_concurrently(schema_editor))

    def describe(self):
        return f"{super().describe()} (concurrently on PostgreSQL)"


def _concurrently(schema_editor) -> dict:
    if schema_editor.connection.vendor != "postgresql":
        return {}
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError("an index built CONCURRENTLY needs a migration with atomic = False")
    return {"concurrently": True}
