"""Running balances (issue 18): `Balance` rows backfilled from the entries, each wallet entry's
`balance_after` (its wallet's entries summed in id order), and each entry's transaction time
copied onto it so that one index orders an account's entries (0003 makes it required and adds
that index: on PostgreSQL a table whose rows were just written has foreign-key checks pending,
and cannot be altered in the same transaction).

The backfill is plain SQL that SQLite and PostgreSQL both run, one statement each, however many
entries there are. A wallet's history goes to its partner's row (its only lane); a shared
account's (platform, bank) to the lane "" (ledger.models).
"""

import django.db.models.deletion
from django.db import migrations, models

COPY_TRANSACTION_TIME = """
UPDATE ledger_entry SET created_at = (
    SELECT t.created_at FROM ledger_transaction t WHERE t.id = ledger_entry.transaction_id
)
"""

# ROUND: SQLite sums DECIMAL columns as floats (core.money).
RUNNING_WALLET_BALANCES = """
UPDATE ledger_entry SET balance_after = running.total
FROM (
    SELECT e.id, ROUND(SUM(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id), 2) AS total
    FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
    WHERE a.partner_id IS NOT NULL
) AS running
WHERE running.id = ledger_entry.id
"""

# ROUND: SQLite sums DECIMAL columns as floats (core.money).
SUM_ENTRIES_INTO_BALANCES = """
INSERT INTO ledger_balance (account_id, lane, amount)
SELECT e.account_id, COALESCE(a.partner_id, ''), ROUND(SUM(e.amount), 2)
FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
GROUP BY e.account_id, a.partner_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Balance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lane", models.CharField(blank=True, default="", max_length=64)),
                ("amount", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                (
                    "account",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="balances",
                        to="ledger.account",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("account", "lane"), name="ledger_balance_lane")
                ],
            },
        ),
        migrations.AddField(
            model_name="entry",
            name="created_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="balance_after",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.RunSQL(COPY_TRANSACTION_TIME, migrations.RunSQL.noop),
        migrations.RunSQL(RUNNING_WALLET_BALANCES, migrations.RunSQL.noop),
        migrations.RunSQL(SUM_ENTRIES_INTO_BALANCES, migrations.RunSQL.noop),
    ]
