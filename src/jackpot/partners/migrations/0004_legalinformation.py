"""LegalInformation moves from the portal app to partners: state only, the table stays
`portal_legalinformation` with its rows (portal's 0002 drops the model from its own state).

Its content type follows it, so that operators' permissions on it and the audit log's entries
about it stay attached (a fresh database has none yet: Django creates them after migrating).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="portal", target="partners"):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    content_types.using(schema_editor.connection.alias).filter(
        app_label=source, model="legalinformation"
    ).update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="partners", target="portal")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("partners", "0003_partneruser"),
        ("portal", "0001_initial"),  # the table exists before partners claims it
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LegalInformation",
                    fields=[
                        (
                            "partner",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="legal",
                                serialize=False,
                                to="partners.partner",
                            ),
                        ),
                        (
                            "company_name",
                            models.CharField(
                                blank=True, default="", max_length=200, verbose_name="company name"
                            ),
                        ),
                        (
                            "legal_form",
                            models.CharField(
                                blank=True, default="", max_length=60, verbose_name="legal form"
                            ),
                        ),
                        (
                            "registration_number",
                            models.CharField(
                                blank=True,
                                default="",
                                max_length=30,
                                verbose_name="registration number (SIREN/SIRET)",
                            ),
                        ),
                        (
                            "vat_number",
                            models.CharField(
                                blank=True, default="", max_length=30, verbose_name="VAT number"
                            ),
                        ),
                        (
                            "address",
                            models.TextField(
                                blank=True, default="", verbose_name="registered address"
                            ),
                        ),
                        (
                            "billing_email",
                            models.EmailField(
                                blank=True,
                                default="",
                                max_length=254,
                                verbose_name="billing e-mail",
                            ),
                        ),
                        (
                            "representative",
                            models.CharField(
                                blank=True,
                                default="",
                                max_length=200,
                                verbose_name="legal representative",
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="updated at"
                            ),
                        ),
                        (
                            "updated_by",
                            models.CharField(
                                blank=True, default="", max_length=150, verbose_name="updated by"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "legal information",
                        "verbose_name_plural": "legal information",
                        "db_table": "portal_legalinformation",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
