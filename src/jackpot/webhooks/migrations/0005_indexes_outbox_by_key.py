"""Webhooks' redundant indexes dropped (issue 18), now that the outbox is found by
(partner, notificationKey).

Added by 0004 (built without stopping writes on PostgreSQL, `core/schema_changes.py`):
- `outbox_partner_key` (partner, notification_key): the portal's coupon page lists one
  voucher's notifications from the partner's outbox, which holds three events a voucher and is
  never short; without it each page read scanned the whole table. The few events of a key are
  sorted by date after the lookup: without the date and id in the index, the entries of one key
  are equal and PostgreSQL stores them once (deduplication): 39 MB for 1.8 million events,
  against 116 MB with the date and id.
Dropped:
- `webhooks_outboxevent.partner_id` (and its `_like`): `outbox_partner_key` starts with it.
- `webhooks_delivery.partner_id` (and its `_like`): `delivery_partner_status` (partner, status)
  starts with it.
- `_like` (`varchar_pattern_ops`) of `webhooks_endpoint.partner_id`, its primary key: it
  serves only case-sensitive `LIKE 'prefix%'`, which nothing runs.
Kept: the outbox's `created_at`, the deliveries' `event_id`, `delivery_due` and
`delivery_partner_status`, the attempts' `delivery_id`.
"""

import django.db.models.deletion
from django.db import migrations, models

from jackpot.core.schema_changes import DropFieldIndexes


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds and drops indexes concurrently outside a transaction

    dependencies = [
        ("partners", "0004_legalinformation"),
        ("webhooks", "0004_admin_lists"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[DropFieldIndexes("outboxevent", "partner")],
            state_operations=[
                migrations.AlterField(
                    model_name="outboxevent",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outbox",
                        to="partners.partner",
                    ),
                )
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[DropFieldIndexes("delivery", "partner")],
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="partners.partner",
                    ),
                )
            ],
        ),
        DropFieldIndexes("endpoint", "partner", pattern_only=True),
    ]
