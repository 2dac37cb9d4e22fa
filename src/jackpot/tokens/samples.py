"""A token built the way the integration guide's samples build it, on the partner's backend.

PyJWT's default header, HS256 with the partner's first valid apiSignature, `iat` now, a fresh
`notificationKey` unless one is given, and nothing the samples leave out (no exp, jti or iss).
`jackpot token build` prints one; the demo partner page embeds one on every visit.
"""

import time
from decimal import Decimal, InvalidOperation

import jwt

from jackpot.core.formats import amount as json_amount
from jackpot.partners import credentials
from jackpot.partners.models import Partner


class SampleTokenError(Exception):
    """The token cannot be built: no such partner, or none of its signatures is valid."""


class AmountError(SampleTokenError):
    """The amount given is not a number."""


def build_token(
    partner_id: str, amount: str, headers: dict | None = None, *, test: bool = False, **claims
) -> str:
    """A signed token for `partner_id`; claims given as None are left out.

    The amount is written as the samples write it: a JSON number, whole when it is whole; one
    with more than two decimals is kept as a float, so that a verifier's refusal can be tried.
    `iat` is now and `notificationKey` a fresh one unless given; ``headers`` (a `kid`) are added
    to PyJWT's own. `test`: signed with the partner's test apiSignature (a test session).
    """
    partner = Partner.objects.live().filter(pk=partner_id).first()
    if partner is None:
        raise SampleTokenError(f"no partner {partner_id!r} (see `jackpot partner create`)")
    if test:
        partner = credentials.test_twin(partner)
        if partner is None:
            raise SampleTokenError(f"partner {partner_id!r} has no test mode")
    signatures = credentials.valid_signatures(partner)
    if not signatures:
        raise SampleTokenError(f"partner {partner_id!r} has no valid apiSignature")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise AmountError(f"{amount!r} is not a number") from None
    payload = {
        "amount": json_amount(value) if value == value.quantize(Decimal("0.01")) else float(value)
    }
    payload.update({k: v for k, v in claims.items() if v is not None})
    payload.setdefault("iat", int(time.time()))
    payload.setdefault("notificationKey", f"cli-{time.time_ns()}")
    return jwt.encode(payload, signatures[0], algorithm="HS256", headers=headers or None)
