"""The portal's own partial indexes: the refunds list (vouchers in a refund state, newest first)
and the search by customTransactionId (portal.search), each over the few rows it serves; built
without stopping writes on PostgreSQL (`core/schema_changes.py`)."""

from django.db import migrations, models

from jackpot.core.schema_changes import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds indexes concurrently outside a transaction

    dependencies = [
        ("vouchers", "0010_verbose_names"),
    ]

    operations = [
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("state__in", ["REFUNDING", "REFUNDED", "REFUND_REJECTED"])),
                fields=["partner", "-reservation_date", "-id"],
                name="voucher_partner_refunds",
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("custom_transaction_id", ""), _negated=True),
                fields=["partner", "custom_transaction_id"],
                name="voucher_partner_transaction",
            ),
        ),
    ]
