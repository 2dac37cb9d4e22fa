"""Who is calling: the credential an API call carries, verified once per request.

The edge (rate limits, Idempotency-Key records) and the routes' authentication ask the same
questions; the answers are kept on the request so each credential costs one lookup. Only a
credential that verified gives a caller its own rate-limit counter and idempotency records: a
made-up header is no credential at all (it counts against its client address, and writes
nothing), so nobody can open fresh counters or fill tables by inventing headers.
"""

import hashlib

from django.http import HttpRequest

from jackpot.partners import credentials
from jackpot.tokens import sessions
from jackpot.vouchers.codes import merchant

_MEMO = "_jackpot_credentials"


def _remembered(request: HttpRequest, kind: str, secret: str, lookup):
    memo = request.__dict__.setdefault(_MEMO, {})
    if (kind, secret) not in memo:
        memo[kind, secret] = lookup(secret)
    return memo[kind, secret]


def session_for(request: HttpRequest, token: str):
    """The session a `Bearer jks_…` credential opens (live or not), or None."""
    return _remembered(request, "session", token, sessions.session_for_credential)


def partner_for_api_key(request: HttpRequest, key: str):
    return _remembered(request, "apikey", key, credentials.partner_for_api_key)


def partner_for_access_token(request: HttpRequest, token: str):
    return _remembered(request, "partner-token", token, credentials.partner_for_access_token)


def store_for_key(request: HttpRequest, key: str):
    """The store a merchant key (`Bearer jsk_…`) belongs to, or None."""
    return _remembered(request, "store-key", key, merchant.store_for_key)


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header, split as django-ninja splits it."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def verified_scope(request: HttpRequest) -> str | None:
    """A digest of the credential the request carries when it verified, else None.

    Rate limits and idempotency keys are kept per credential; the digest keeps the credential
    itself out of caches and tables. The apikey is tried first, as the routes try it.
    """
    key = request.headers.get("apikey")
    if key and partner_for_api_key(request, key) is not None:
        return _digest(key)
    token = bearer_token(request)
    if token and (
        session_for(request, token) is not None
        or partner_for_access_token(request, token) is not None
        or store_for_key(request, token) is not None
    ):
        return _digest(request.headers["Authorization"])
    return None


def _digest(header_value: str) -> str:
    """The digest records already carry (the header as sent), so keys stay valid over upgrades."""
    return hashlib.sha256(header_value.strip().encode()).hexdigest()
