"""Each entry's time required, and the index the ledger's pages read: an account's entries in
(created_at, id) order, which also serves what the foreign key's own index did."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_ledger_running_balances"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterModelOptions(
            name="entry",
            options={"ordering": ["created_at", "id"]},
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["account", "created_at", "id"], name="ledger_entry_account_time"
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="ledger.account",
            ),
        ),
    ]
