"""Who is calling, as far as the HTTP edge needs to know before the API authenticates."""

import hashlib

from django.http import HttpRequest


def credential_scope(request: HttpRequest) -> str | None:
    """A digest of the credential the request carries (apikey or bearer), or None.

    Rate limits and idempotency keys are kept per credential; the digest keeps the credential
    itself out of caches and tables.
    """
    credential = request.headers.get("apikey") or request.headers.get("Authorization")
    if not credential:
        return None
    return hashlib.sha256(credential.strip().encode()).hexdigest()


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"
