"""Standard Webhooks signatures (SPEC §8) and the rotation of a partner's `whsec_` secret.

Signatures come from the `standardwebhooks` package, the one partners verify with:
`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. While a rotation's grace period runs, the
signature of the previous secret is sent too, space-separated, as the specification allows; a
receiver holding either secret verifies the message.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from jackpot.partners.credentials import new_webhook_secret
from jackpot.partners.models import Partner
from jackpot.webhooks.models import Endpoint

USER_AGENT = "Jackpot-Webhooks/1"
DEFAULT_ROTATION_GRACE = timedelta(hours=24)


def previous_secret_signs(endpoint: Endpoint | None, now: datetime) -> bool:
    """Whether the secret replaced by the last rotation still signs (its grace period runs)."""
    return bool(
        endpoint is not None
        and endpoint.previous_secret
        and endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > now
    )


def signing_secrets(partner: Partner, endpoint: Endpoint | None, now: datetime) -> list[str]:
    """The secrets a message to this partner is signed with right now, current first."""
    secrets = [partner.webhook_secret]
    if previous_secret_signs(endpoint, now) and endpoint.previous_secret != partner.webhook_secret:
        secrets.append(endpoint.previous_secret)
    return secrets


def signature_header(secrets: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets)


def headers(secrets: list[str], msg_id: str, body: str, now: datetime | None = None) -> dict:
    """The request headers of one attempt; the timestamp is the attempt's, the id the event's."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature_header(secrets, msg_id, moment, body),
    }


@transaction.atomic
def rotate_secret(
    partner: Partner, grace: timedelta = DEFAULT_ROTATION_GRACE, new_secret: str | None = None
) -> str:
    """Give the partner a new webhook secret; the current one also signs for `grace`.

    Rotating again within the grace period drops the oldest secret: only the one being replaced
    keeps signing beside the new one.
    """
    if new_secret is not None:
        Webhook(new_secret)  # refuses an empty or malformed secret before anything changes
    now = timezone.now()
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    endpoint, _ = Endpoint.objects.get_or_create(partner=partner)
    endpoint.previous_secret = partner.webhook_secret
    endpoint.previous_secret_expires_at = now + grace
    endpoint.secret_rotated_at = now
    endpoint.save()
    partner.webhook_secret = new_secret or new_webhook_secret()
    partner.save(update_fields=["webhook_secret"])
    return partner.webhook_secret
