"""The dashboard's daily roll-up (vouchers.rollup): its table, filled from the vouchers already
confirmed, as the lifecycle keeps it from now on."""

import django.db.models.deletion
from django.db import migrations, models

from jackpot.vouchers import rollup

# payments.REPORTED_STATES when this migration was written: confirmed and not refunded.
COUNTED = ["CONFIRMED", "READY", "SENT", "REFUNDING", "REFUND_REJECTED"]


def backfill(apps, schema_editor):
    """The roll-up of the vouchers confirmed so far, written by `rollup.rebuild` with this
    migration's models and states (it reads nothing else)."""
    rollup.rebuild(
        apps.get_model("vouchers", "Voucher"),
        apps.get_model("vouchers", "DailyTotal"),
        counted=COUNTED,
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_store_code_stock'),
        ('partners', '0004_legalinformation'),
        ('vouchers', '0011_portal_lists_partial_indexes'),
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
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_totals', to='catalog.store'),
        ),
        migrations.AddConstraint(
            model_name='dailytotal',
            constraint=models.UniqueConstraint(fields=('partner', 'day', 'store', 'currency'), name='daily_total_once'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
