"""The partner's sessions by userId, for what is held about a user (`vouchers.personal_data`):
partial (most sessions carry no userId), built without stopping writes on PostgreSQL."""

from django.db import migrations, models

from jackpot.core.schema_changes import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds indexes concurrently outside a transaction

    dependencies = [
        ("partners", "0005_verbose_names"),
        ("tokens", "0004_verbose_names"),
    ]

    operations = [
        AddIndexOnline(
            model_name="session",
            index=models.Index(
                condition=models.Q(("user_id", ""), _negated=True),
                fields=["partner", "user_id"],
                name="session_partner_user",
            ),
        ),
    ]
