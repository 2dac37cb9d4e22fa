"""Tokens' redundant indexes dropped (issue 18); every query keeps an index.

- `tokens_tokenburn.partner_id` (and its `_like`): the unique (partner, digest) constraint that
  makes a token burn once starts with the partner, and serves the foreign key.
- `tokens_session.partner_id` (and its `_like`): `session_partner_key` (partner,
  notification_key, 0002) starts with the partner, and serves the foreign key.
- `_like` (`varchar_pattern_ops`) beside `tokens_tokenburn.partner_id` and
  `tokens_session.credential_digest`: they serve only case-sensitive `LIKE 'prefix%'`,
  which nothing runs (a credential is found by its whole digest, a partner by its id); the
  unique digest index stays.
Kept: the sessions' `expires_at` and the burns' `burned_at` (what pruning reads).
"""

import django.db.models.deletion
from django.db import migrations, models

from jackpot.core.schema_changes import DropFieldIndexes


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL drops indexes concurrently outside a transaction

    dependencies = [
        ("partners", "0004_legalinformation"),
        ("tokens", "0002_admin_lists"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[DropFieldIndexes("tokenburn", "partner")],
            state_operations=[
                migrations.AlterField(
                    model_name="tokenburn",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                )
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[DropFieldIndexes("session", "partner")],
            state_operations=[
                migrations.AlterField(
                    model_name="session",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sessions",
                        to="partners.partner",
                    ),
                )
            ],
        ),
        DropFieldIndexes("session", "credential_digest", pattern_only=True),
    ]
