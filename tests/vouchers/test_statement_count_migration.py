"""Migration 0015: statements issued before it get the number of vouchers they list.

A statement is issued at today's schema, the vouchers app goes back to 0014 (the column is
dropped) and forward again: the backfill counts the vouchers the statement lists."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jackpot.vouchers import payments
from jackpot.vouchers.models import Statement
from support.payments import BOOKLY, EVER, forever

BEFORE = [("vouchers", "0014_pdfs_drop_documents")]
AFTER = [("vouchers", "0015_growth_statement_voucher_count")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_statements_issued_before_get_their_voucher_counts(manual, money):
    for price in (20, 50, 20):
        money.confirmed(manual, BOOKLY, price)
    three = payments.issue_statement(manual, EVER, forever(), "operator")
    money.confirmed(manual, BOOKLY, 20)
    one = payments.issue_statement(manual, EVER, forever(), "operator")

    migrate(BEFORE)
    try:
        migrate(AFTER)
    finally:
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes("vouchers")
        migrate(latest)

    counts = dict(Statement.objects.values_list("pk", "voucher_count"))
    assert counts == {three.pk: 3, one.pk: 1}
