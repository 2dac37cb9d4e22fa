# A statement's file walks its vouchers in chunks by (confirm_date, id): one partial index,
# billed vouchers only, replaces the column index of the statement link (its first column).
# Built concurrently on PostgreSQL, so vouchers keep being written meanwhile.

import django.db.models.deletion
from django.db import migrations, models

from jackpot.core.schema import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    # After both 0006 migrations of main (and a merge of their two branches).
    dependencies = [
        ("vouchers", "0006_admin_lists"),
        ("vouchers", "0006_refunded_payment_state_rules_cli"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("statement__isnull", False)),
                fields=["statement", "confirm_date", "id"],
                name="voucher_statement_walk",
            ),
        ),
        migrations.AlterField(
            model_name="voucher",
            name="statement",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="vouchers",
                to="vouchers.statement",
            ),
        ),
    ]
