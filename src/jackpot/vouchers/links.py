"""Signed PDF links (the voucher object's `url`, SPEC §6.3): the link is the credential.

`url` is `<JACKPOT_PUBLIC_URL>/v2/voucher/<id>/pdf?sig=<nonce>:<timestamp>:<signature>`, signed
with Django's `TimestampSigner` (HMAC with SECRET_KEY, a salt of its own) over the voucher id and
a random nonce, so every read gives a new link, and checked with `max_age` =
`JACKPOT_PDF_LINK_TTL` (one hour). A link for another voucher, a changed character or an old
timestamp fails the check. Changing SECRET_KEY invalidates every link given out.
"""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing

from jackpot.core.paths import api_path
from jackpot.vouchers.models import State, Voucher

SALT = "jackpot.vouchers.pdf-link"
# States in which the voucher has its PDF and its codes are good: the link is given.
WITH_PDF = frozenset({State.READY, State.SENT, State.REFUNDING, State.REFUND_REJECTED})


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def signature(voucher_id) -> str:
    """A fresh `sig` for the voucher: `nonce:timestamp:signature`."""
    signed = _signer().sign(f"{voucher_id}.{secrets.token_urlsafe(6)}")
    return signed.split(".", 1)[1]


def check(voucher_id, sig: str | None, max_age: int | None = None) -> bool:
    """Whether `sig` was made for this voucher within the link's lifetime."""
    if not sig or len(sig) > 200:
        return False
    max_age = settings.JACKPOT_PDF_LINK_TTL if max_age is None else max_age
    try:
        _signer().unsign(f"{voucher_id}.{sig}", max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return True


def path(voucher_id, sig: str | None = None) -> str:
    query = urlencode({"sig": sig or signature(voucher_id)})
    return f"{api_path(f'voucher/{voucher_id}/pdf')}?{query}"


def pdf_url(voucher: Voucher) -> str | None:
    """The `url` of the voucher object: a new signed link, or None until the PDF is READY."""
    if voucher.state not in WITH_PDF:
        return None
    return settings.JACKPOT_PUBLIC_URL + path(voucher.pk)
