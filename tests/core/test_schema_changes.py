"""`core.schema_changes.AddIndexOnline`: a migration adds its index and takes it back on SQLite and
PostgreSQL alike, and on PostgreSQL refuses to run inside a transaction (where CONCURRENTLY is
impossible) instead of silently locking a big table."""

import pytest
from django.apps import apps
from django.db import NotSupportedError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState

from jackpot.core.schema_changes import AddIndexOnline
from jackpot.webhooks.models import OutboxEvent


def indexes() -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, OutboxEvent._meta.db_table)
    return {name for name, details in found.items() if details["index"]}


def migrate(target=None) -> None:
    """Migrate to `target`, or with none to every app's latest migration: a test that stopped
    short of the leaves would leave later tests (and `/readyz`) a half-migrated database."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_index_comes_and_goes_with_its_migration():
    assert {"outbox_partner_key", "outbox_request"} <= indexes()
    try:
        migrate(("webhooks", "0003_request_id"))
        assert not {"outbox_partner_key", "outbox_request"} & indexes()
    finally:
        migrate()
    assert {"outbox_partner_key", "outbox_request"} <= indexes()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_a_concurrent_build_inside_a_transaction():
    index = OutboxEvent._meta.indexes[0]
    operation = AddIndexOnline(model_name="outboxevent", index=index)
    state = ProjectState.from_apps(apps)
    with pytest.raises(NotSupportedError, match="atomic = False"):
        with transaction.atomic(), connection.schema_editor(atomic=False) as editor:
            operation.database_forwards("webhooks", editor, state, state)
