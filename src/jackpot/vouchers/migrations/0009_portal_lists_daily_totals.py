"""The dashboard's daily roll-up (vouchers.rollup): its table, filled from the vouchers already
confirmed, as the lifecycle keeps it from now on."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

# payments.REPORTED_STATES when this migration was written: confirmed and not refunded.
COUNTED = ["CONFIRMED", "READY", "SENT", "REFUNDING", "REFUND_REJECTED"]
BATCH = 5000


def backfill(apps, schema_editor):
    """One row per (partner, day, store, currency) of the vouchers counted today, days in the
    platform's TIME_ZONE, as vouchers.rollup writes them."""
    Voucher = apps.get_model("vouchers", "Voucher")
    DailyTotal = apps.get_model("vouchers", "DailyTotal")
    groups = (
        Voucher.objects.using(schema_editor.connection.alias)
        .filter(state__in=COUNTED, confirm_date__isnull=False)
        .annotate(day=TruncDate("confirm_date", tzinfo=timezone.get_default_timezone()))
        .values("partner_id", "day", "store_id", "currency")
        .annotate(n=Count("pk"), total_value=Sum("value"), total_price=Sum("price"))
        .order_by()
    )
    batch = []
    for group in groups.iterator(chunk_size=BATCH):
        batch.append(
            DailyTotal(
                partner_id=group["partner_id"],
                day=group["day"],
                store_id=group["store_id"],
                currency=group["currency"],
                vouchers=group["n"],
                value=group["total_value"],
                price=group["total_price"],
            )
        )
        if len(batch) >= BATCH:
            DailyTotal.objects.using(schema_editor.connection.alias).bulk_create(batch)
            batch = []
    DailyTotal.objects.using(schema_editor.connection.alias).bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_store_code_stock'),
        ('partners', '0004_legalinformation'),
        ('vouchers', '0008_portal_lists_partial_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DailyTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('currency', models.CharField(default='EUR', max_length=3)),
                ('vouchers', models.IntegerField(default=0)),
                ('value', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                ('price', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
            ],
            options={
                'ordering': ['partner_id', 'day', 'store_id'],
            },
        ),
        migrations.AddField(
            model_name='dailytotal',
            name='partner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_totals', to='partners.partner'),
        ),
        migrations.AddField(
            model_name='dailytotal',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='daily_totals', to='catalog.store'),
        ),
        migrations.AddConstraint(
            model_name='dailytotal',
            constraint=models.UniqueConstraint(fields=('partner', 'day', 'store', 'currency'), name='daily_total_once'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
