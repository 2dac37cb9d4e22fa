"""Every existing partner gets its test mode: a test twin with fresh test credentials.

The credentials are random and shown to nobody: the partner issues its own in the portal's
test mode (Security & API keys) or with `jackpot partner rotate ID --test`. The twin takes the
live partner's shared settings (everything but `partners.models.OWN_FIELDS`) and starts with no
notification URL.
"""

import base64
import hashlib
import secrets

from django.db import migrations

OWN_FIELDS = {
    "id",
    "live_partner",
    "notification_url",
    "api_key_digest",
    "api_key_hint",
    "client_secret_digest",
    "webhook_secret",
    "created_at",
}


def _twin_id(live_id: str) -> str:
    if len(live_id) + 5 <= 64:
        return live_id + "~test"
    return f"{live_id[:44]}~{hashlib.sha256(live_id.encode()).hexdigest()[:13]}~test"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_twins(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    ApiSignature = apps.get_model("partners", "ApiSignature")
    shared = [
        f.attname
        for f in Partner._meta.concrete_fields
        if f.name not in OWN_FIELDS and not f.primary_key
    ]
    with_twin = set(
        Partner.objects.filter(live_partner__isnull=False).values_list("live_partner_id", flat=True)
    )
    for partner in Partner.objects.filter(live_partner__isnull=True).order_by("pk"):
        if partner.pk in with_twin:
            continue
        key = "jpk_test_" + secrets.token_urlsafe(32)
        twin = Partner(
            id=_twin_id(partner.pk),
            live_partner_id=partner.pk,
            notification_url="",
            api_key_digest=_digest(key),
            api_key_hint=key[:12],
            client_secret_digest=_digest("jcs_test_" + secrets.token_urlsafe(32)),
            webhook_secret="whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
            **{f: getattr(partner, f) for f in shared},
        )
        twin.save(force_insert=True)
        ApiSignature.objects.create(partner_id=twin.pk, secret=secrets.token_urlsafe(32))


def drop_twins(apps, schema_editor):
    apps.get_model("partners", "Partner").objects.filter(live_partner__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_testmode_test_twin")]

    operations = [migrations.RunPython(create_twins, drop_twins)]
