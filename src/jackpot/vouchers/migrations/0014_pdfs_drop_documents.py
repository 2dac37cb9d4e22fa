"""Voucher PDFs are no longer stored: the PDF route and the mail job draw them on request
(`vouchers.rendering`). The table of stored PDFs goes with its rows; an old voucher's PDF is
simply drawn again from its codes when its link is followed (the same page: only the store's
current presentation, and fpdf2's version, can make its bytes differ from the stored ones).
Migrating back recreates the table empty. The `pdf` job keeps its name (rows already written
and the worker's metrics use it) and now only takes missing codes and moves the voucher to
READY."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0013_personal_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='deliveryjob',
            name='kind',
            field=models.CharField(choices=[('pdf', 'Codes (if still missing), then READY'), ('mail', 'Mail the PDF, then SENT')], max_length=8, verbose_name='kind'),
        ),
        migrations.DeleteModel(
            name='VoucherDocument',
        ),
    ]
