"""A refunded voucher has no payment state (`payments.reverse_payment`): nothing is owed for it
and nothing stays paid for it. Vouchers refunded before this rule kept DUE or PAID."""

from django.db import migrations


def clear_refunded(apps, schema_editor):
    Voucher = apps.get_model("vouchers", "Voucher")
    Voucher.objects.filter(state="REFUNDED").exclude(payment_state="").update(payment_state="")


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0006_admin_lists"),
    ]

    operations = [migrations.RunPython(clear_refunded, migrations.RunPython.noop)]
