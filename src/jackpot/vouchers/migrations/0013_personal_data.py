"""Personal data (`vouchers.personal_data`): when a voucher's was erased, the audit entry of each
erasure, and the partial index the worker's retention walks (the vouchers not erased yet),
built without stopping writes on PostgreSQL (`core/schema_changes.py`)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from jackpot.core.schema_changes import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds indexes concurrently outside a transaction

    dependencies = [
        ("catalog", "0003_verbose_names"),
        ("partners", "0005_verbose_names"),
        ("tokens", "0005_personal_data"),
        ("vouchers", "0012_portal_lists_daily_totals"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonalDataErasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("actor", models.CharField(max_length=100, verbose_name="actor")),
                (
                    "reason",
                    models.CharField(
                        choices=[("request", "On request"), ("retention", "Retention period over")],
                        max_length=16,
                        verbose_name="reason",
                    ),
                ),
                (
                    "subject_digest",
                    models.CharField(blank=True, max_length=64, verbose_name="user (keyed digest)"),
                ),
                ("vouchers", models.PositiveIntegerField(default=0, verbose_name="vouchers")),
                ("sessions", models.PositiveIntegerField(default=0, verbose_name="sessions")),
                (
                    "notifications",
                    models.PositiveIntegerField(default=0, verbose_name="notifications"),
                ),
            ],
            options={
                "verbose_name": "personal data erasure",
                "verbose_name_plural": "personal data erasures",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="voucher",
            name="personal_data_erased_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="personal data erased at"
            ),
        ),
        AddIndexOnline(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("personal_data_erased_at__isnull", True)),
                fields=["reservation_date"],
                name="voucher_personal_data_kept",
            ),
        ),
        migrations.AddField(
            model_name="personaldataerasure",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="personal_data_erasures",
                to="partners.partner",
                verbose_name="partner",
            ),
        ),
        migrations.AddIndex(
            model_name="personaldataerasure",
            index=models.Index(fields=["partner", "-at"], name="erasure_partner_newest"),
        ),
    ]
