"""Generating, storing and checking partner credentials.

Secrets come from `secrets` (256 bits or more). Those the platform only has to check (API key,
client secret) are kept as SHA-256 digests: they are high-entropy random strings, so a fast hash
is the right tool (a password hasher buys nothing against a 256-bit guess and costs every request).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from jackpot.core.compiled import CompiledQuery
from jackpot.partners import domains as domain_rules
from jackpot.partners.models import (
    ApiSignature,
    ConfirmationMode,
    Partner,
    PartnerAccessToken,
    twin_id,
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_signature() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


# Test credentials say so at a glance (as the best payment APIs' `sk_test_…` do): a test key
# pasted in a production configuration is seen before any voucher is lost in test mode.
def new_api_key(test: bool = False) -> str:
    return ("jpk_test_" if test else "jpk_") + secrets.token_urlsafe(32)


def new_client_secret(test: bool = False) -> str:
    return ("jcs_test_" if test else "jcs_") + secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class IssuedCredentials:
    """Every credential of a partner in clear: shown once, at creation or rotation.

    `test` holds the test-mode set (same keys, no id: the partner id is the same in both modes).
    """

    id: str
    apiSignature: str  # noqa: N815 - the partner contract's spelling
    apiKey: str  # noqa: N815
    clientSecret: str  # noqa: N815
    webhookSecret: str  # noqa: N815
    test: dict | None = field(default=None)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        if data["test"] is None:
            del data["test"]
        return data

    def as_flat_dict(self) -> dict:
        """One level, the test credentials named `test…` (for pages that list name: value)."""
        data = self.as_dict()
        for key, value in (data.pop("test", None) or {}).items():
            data["test" + key[0].upper() + key[1:]] = value
        return data


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
    _, test = create_test_twin(partner)
    return partner, IssuedCredentials(
        id=partner.id,
        apiSignature=signature,
        apiKey=key,
        clientSecret=client_secret,
        webhookSecret=partner.webhook_secret,
        test=test,
    )


# --- test mode: the test twin ----------------------------------------------------------------


def test_twin(partner: Partner) -> Partner | None:
    """The partner's test twin (the row of its test mode), or None; a twin is its own twin."""
    if partner.is_test:
        return partner
    return Partner.objects.filter(live_partner_id=partner.pk).first()


def live_partner(partner: Partner) -> Partner:
    """The live row of a partner in either mode."""
    return partner.live_partner if partner.is_test else partner


@transaction.atomic
def create_test_twin(partner: Partner, notification_url: str = "") -> tuple[Partner, dict]:
    """Give a live partner its test mode: a twin row holding fresh test credentials, with the
    live partner's shared settings; returns it and the test credentials in clear (shown once).

    The twin starts with no notification URL: test webhooks go where the partner says, never
    to its live endpoint by surprise.
    """
    if partner.is_test:
        raise CredentialError("a test twin has no twin of its own")
    if test_twin(partner) is not None:
        raise CredentialError(f"partner {partner.pk!r} already has its test mode")
    key, client_secret, signature = new_api_key(True), new_client_secret(True), new_api_signature()
    twin = Partner(
        id=twin_id(partner.pk),
        live_partner=partner,
        notification_url=notification_url,
        api_key_digest=digest(key),
        api_key_hint=key[:12],
        client_secret_digest=digest(client_secret),
        webhook_secret=new_webhook_secret(),
        **{f: getattr(partner, f) for f in Partner.shared_fields()},
    )
    twin.save(force_insert=True)
    ApiSignature.objects.create(partner=twin, secret=signature)
    return twin, {
        "apiSignature": signature,
        "apiKey": key,
        "clientSecret": client_secret,
        "webhookSecret": twin.webhook_secret,
    }


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
    """The partner (live) or its test twin whose client secret this is; client_id is the
    partner id in both modes."""
    partner = Partner.objects.live().filter(pk=client_id or "", enabled=True).first()
    if partner is None:
        return None
    if check_client_secret(partner, client_secret):
        return partner
    twin = test_twin(partner)
    if twin is not None and twin.enabled and check_client_secret(twin, client_secret):
        return twin
    return None


# --- backoffice: credentials a partner renews itself --------------------------------------


@transaction.atomic
def regenerate_api_key(partner: Partner) -> str:
    """A new apiKey for the partner, returned once in clear; the previous key stops at once."""
    key = new_api_key(test=partner.is_test)
    hint = key[:12] if partner.is_test else key[:8]
    Partner.objects.filter(pk=partner.pk).update(api_key_digest=digest(key), api_key_hint=hint)
    partner.api_key_digest, partner.api_key_hint = digest(key), hint
    return key


@transaction.atomic
def regenerate_client_secret(partner: Partner) -> str:
    """A new client secret (client_credentials grant), returned once; bearer tokens already
    issued with the previous one run to their hour."""
    secret = new_client_secret(test=partner.is_test)
    Partner.objects.filter(pk=partner.pk).update(client_secret_digest=digest(secret))
    partner.client_secret_digest = digest(secret)
    return secret


@transaction.atomic
def update_integration(partner: Partner, *, domains: list[str], notification_url: str) -> Partner:
    """Change the partner's authorised domains and notification URL (validated, and the domains
    normalised, by the model: `ValidationError` on the field at fault).

    In test mode the notification URL is the twin's own (the test one) and the domains are the
    live partner's, shared by both modes: they are saved there, and copied onto the twin.
    """
    live = live_partner(partner)
    live.domains = "\n".join(domains)
    if not partner.is_test:
        live.notification_url = notification_url.strip()
    live.full_clean(exclude=["api_key_digest", "client_secret_digest"])
    live.save(update_fields=["domains", "notification_url"])
    if partner.is_test:
        partner.domains = live.domains
        partner.notification_url = notification_url.strip()
        partner.full_clean(exclude=["id", "api_key_digest", "client_secret_digest", "live_partner"])
        partner.save(update_fields=["notification_url"])
    return partner
