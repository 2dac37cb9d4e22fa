"""LegalInformation now belongs to the partners app (partners 0004 takes it over in state);
the portal forgets it without touching the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("partners", "0004_legalinformation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LegalInformation")],
            database_operations=[],
        ),
    ]
