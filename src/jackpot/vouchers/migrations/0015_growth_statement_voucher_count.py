"""Each statement keeps the number of vouchers it lists (`Statement.voucher_count`), so that a
list of statements stops counting every voucher of every statement on each page. Existing
statements get their count from the vouchers they list now (read from the partial index
`voucher_statement_lines`, one grouped pass)."""

from django.db import migrations, models
from django.db.models import Count


def backfill(apps, schema_editor):
    alias = schema_editor.connection.alias
    statements = apps.get_model("vouchers", "Statement").objects.using(alias)
    listed = (
        apps.get_model("vouchers", "Voucher")
        .objects.using(alias)
        .filter(statement__isnull=False)
        .values("statement")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in listed.iterator():
        statements.filter(pk=row["statement"]).update(voucher_count=row["n"])


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0014_pdfs_drop_documents'),
    ]

    operations = [
        migrations.AddField(
            model_name='statement',
            name='voucher_count',
            field=models.PositiveIntegerField(db_default=0, default=0, verbose_name='vouchers'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
