"""Generating, storing and checking partner credentials.

Secrets come from `secrets` (256 bits or more). Those the platform only has to check (API key,
client secret) are kept as SHA-256 digests: they are high-entropy random strings, so a fast hash
is the right tool (a password hasher buys nothing against a 256-bit guess and costs every request).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from jackpot.core.compiled import CompiledQuery
from jackpot.partners import domains as domain_rules
from jackpot.partners.models import ApiSignature, ConfirmationMode, Partner, PartnerAccessToken


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_signature() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def new_api_key() -> str:
    return "jpk_" + secrets.token_urlsafe(32)


def new_client_secret() -> str:
    return "jcs_" + secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class IssuedCredentials:
    """Every credential of a partner in clear: shown once, at creation or rotation."""

    id: str
    apiSignature: str  # noqa: N815 - the partner contract's spelling
    apiKey: str  # noqa: N815
    clientSecret: str  # noqa: N815
    webhookSecret: str  # noqa: N815


class CredentialError(ValueError):
    pass


def _unique_partner_id(name: str) -> str:
    base = slugify(name)[:48] or "partner"
    candidate, n = base, 1
    while Partner.objects.filter(pk=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def create_partner(
    name: str,
    *,
    domains: list[str],
    partner_id: str | None = None,
    confirmation_mode: str = ConfirmationMode.AUTO,
    notification_url: str = "",
    api_signature: str | None = None,
    api_key: str | None = None,
    session_ceiling=None,
    sending_enabled: bool = False,
) -> tuple[Partner, IssuedCredentials]:
    if confirmation_mode not in ConfirmationMode.values:
        raise CredentialError(f"unknown confirmation mode {confirmation_mode!r}")
    if api_signature is not None and len(api_signature) < 8:
        raise CredentialError("an apiSignature must be at least 8 characters long")
    if partner_id and Partner.objects.filter(pk=partner_id).exists():
        raise CredentialError(f"a partner with id {partner_id!r} already exists")
    signature = api_signature or new_api_signature()
    key = api_key or new_api_key()
    if Partner.objects.filter(api_key_digest=digest(key)).exists():
        raise CredentialError("this apiKey is already used by another partner")
    client_secret = new_client_secret()
    partner = Partner(
        id=partner_id or _unique_partner_id(name),
        name=name,
        domains="\n".join(domains),  # normalised and checked by Partner.clean (full_clean)
        confirmation_mode=confirmation_mode,
        notification_url=notification_url,
        api_key_digest=digest(key),
        api_key_hint=key[:8],
        client_secret_digest=digest(client_secret),
        webhook_secret=new_webhook_secret(),
        sending_enabled=sending_enabled,
    )
    partner.session_ceiling = (
        session_ceiling
        if session_ceiling is not None
        else Decimal(settings.JACKPOT_DEFAULT_SESSION_CEILING)
    )
    partner.full_clean(exclude=["api_key_digest", "client_secret_digest"])
    partner.save()
    ApiSignature.objects.create(partner=partner, secret=signature)
    return partner, IssuedCredentials(
        id=partner.id,
        apiSignature=signature,
        apiKey=key,
        clientSecret=client_secret,
        webhookSecret=partner.webhook_secret,
    )


_signatures = CompiledQuery(
    lambda partner_id: ApiSignature.objects.filter(partner_id=partner_id), "partner-example"
)


def signature_status(signature: ApiSignature, now) -> str:
    """`current` (the one to sign with), `grace` (replaced, still accepted until its
    `valid_until`) or `expired` (refused)."""
    if signature.valid_until is None:
        return "current"
    return "grace" if signature.valid_until > now else "expired"


def valid_signatures(partner: Partner, now=None) -> list[str]:
    """The apiSignatures a token of this partner may be signed with right now, newest first."""
    now = now or timezone.now()
    return [s.secret for s in _signatures.all(partner.pk) if signature_status(s, now) != "expired"]


@transaction.atomic
def rotate_api_signature(partner: Partner, grace: timedelta, new_secret: str | None = None) -> str:
    """Give the partner a new apiSignature; the current ones stay valid for `grace`."""
    now = timezone.now()
    ApiSignature.objects.filter(partner=partner, valid_until__isnull=True).update(
        valid_until=now + grace
    )
    secret = new_secret or new_api_signature()
    ApiSignature.objects.create(partner=partner, secret=secret, created_at=now)
    return secret


_by_api_key = CompiledQuery(
    lambda key_digest: Partner.objects.filter(api_key_digest=key_digest, enabled=True),
    "0" * 64,
)


def partner_for_api_key(key: str) -> Partner | None:
    if not key:
        return None
    return _by_api_key.first(digest(key))


def check_client_secret(partner: Partner, secret: str) -> bool:
    return hmac.compare_digest(partner.client_secret_digest, digest(secret or ""))


def domain_authorised(partner: Partner, origin: domain_rules.Origin | str | None) -> bool:
    """True when one of the partner's entries lets the browser's Origin in (partners.domains:
    its host or a sub-domain, and its port when the entry names one)."""
    seen = domain_rules.origin(origin) if isinstance(origin, str | None) else origin
    return domain_rules.lets_in(partner.domain_entries, seen)


ACCESS_TOKEN_PREFIX = "jpt_"
ACCESS_TOKEN_TTL = timedelta(hours=1)


def issue_access_token(partner: Partner) -> tuple[str, PartnerAccessToken]:
    """A one-hour bearer token for the partner's servers (client_credentials grant)."""
    token = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    PartnerAccessToken.objects.filter(partner=partner, expires_at__lt=now).delete()
    record = PartnerAccessToken.objects.create(
        partner=partner, digest=digest(token), created_at=now, expires_at=now + ACCESS_TOKEN_TTL
    )
    return token, record


def partner_for_access_token(token: str) -> Partner | None:
    if not token or not token.startswith(ACCESS_TOKEN_PREFIX):
        return None
    record = (
        PartnerAccessToken.objects.select_related("partner")
        .filter(digest=digest(token), expires_at__gt=timezone.now(), partner__enabled=True)
        .first()
    )
    return record.partner if record else None


def partner_for_client_credentials(client_id: str, client_secret: str) -> Partner | None:
    partner = Partner.objects.filter(pk=client_id or "", enabled=True).first()
    if partner is None or not check_client_secret(partner, client_secret):
        return None
    return partner


# --- backoffice: credentials a partner renews itself --------------------------------------


@transaction.atomic
def regenerate_api_key(partner: Partner) -> str:
    """A new apiKey for the partner, returned once in clear; the previous key stops at once."""
    key = new_api_key()
    Partner.objects.filter(pk=partner.pk).update(api_key_digest=digest(key), api_key_hint=key[:8])
    partner.api_key_digest, partner.api_key_hint = digest(key), key[:8]
    return key


@transaction.atomic
def regenerate_client_secret(partner: Partner) -> str:
    """A new client secret (client_credentials grant), returned once; bearer tokens already
    issued with the previous one run to their hour."""
    secret = new_client_secret()
    Partner.objects.filter(pk=partner.pk).update(client_secret_digest=digest(secret))
    partner.client_secret_digest = digest(secret)
    return secret


def update_integration(partner: Partner, *, domains: list[str], notification_url: str) -> Partner:
    """Change the partner's authorised domains and notification URL (validated, and the domains
    normalised, by the model: `ValidationError` on the field at fault)."""
    partner.domains = "\n".join(domains)
    partner.notification_url = notification_url.strip()
    partner.full_clean(exclude=["api_key_digest", "client_secret_digest"])
    partner.save(update_fields=["domains", "notification_url"])
    return partner
