"""The migration that introduced running balances fills them from the entries already written
(SQLite and PostgreSQL alike), and postings after it carry on from there."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from jackpot.ledger import balances
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Balance, Entry

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ledger", "0001_initial")]
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def write_history_before_running_balances(executor, partner_id: str) -> None:
    """A top-up, a wallet payment and a statement paid, as the ledger wrote them before."""
    old = executor.loader.project_state(BEFORE).apps
    account, txn, entry = (old.get_model("ledger", m) for m in ("Account", "Transaction", "Entry"))
    wallet = account.objects.create(
        code=f"wallet:{partner_id}", kind="partner_wallet", partner_id=partner_id
    )
    platform = account.objects.create(code="platform:EUR", kind="platform")
    bank = account.objects.create(code="bank:EUR", kind="bank")
    movements = [
        ("top_up", [(bank, "-50.00"), (wallet, "50.00")]),
        ("voucher_payment", [(wallet, "-28.57"), (platform, "28.57")]),
        ("statement_payment", [(bank, "-45.00"), (platform, "45.00")]),
        ("voucher_payment", [(wallet, "-0.10"), (platform, "0.10")]),
    ]
    for minutes, (kind, legs) in enumerate(movements):
        posted = txn.objects.create(kind=kind, reference="r", created_at=T0 + timedelta(minutes))
        for leg_account, amount in legs:
            entry.objects.create(transaction=posted, account=leg_account, amount=Decimal(amount))


def test_running_balances_are_backfilled_from_the_existing_entries(make_partner):
    partner = make_partner("acme")
    try:
        write_history_before_running_balances(migrate(BEFORE), partner.pk)
        migrate(None)

        kept = {
            (b.account.code, b.lane): b.amount for b in Balance.objects.select_related("account")
        }
        assert kept == {
            ("wallet:acme", "acme"): Decimal("21.33"),
            ("platform:EUR", ""): Decimal("73.67"),
            ("bank:EUR", ""): Decimal("-95.00"),
        }
        for entry in Entry.objects.select_related("transaction"):
            assert entry.created_at == entry.transaction.created_at
        wallet = Entry.objects.filter(account__code="wallet:acme").order_by("id")
        assert [e.balance_after for e in wallet] == [Decimal(a) for a in ("50", "21.43", "21.33")]
        assert set(
            Entry.objects.exclude(account__code="wallet:acme").values_list(
                "balance_after", flat=True
            )
        ) == {None}
        assert balances.mismatches() == []

        # Postings after the migration carry on from the backfilled balances.
        with transaction.atomic():  # as a confirmation pays: under the wallet's lock
            paid = ledger.debit_wallet_if_covered(partner, "21.33", reference="voucher:9")
            refused = ledger.debit_wallet_if_covered(partner, "0.01", reference="voucher:10")
        assert paid is not None and refused is None
        assert ledger.wallet_balance(partner) == Decimal("0.00")
        assert ledger.balance(ledger.platform_account()) == Decimal("95.00")
        assert balances.mismatches() == []
    finally:
        migrate(None)
