"""Verifying a partner token: whose it is, whether its signature holds, what it claims.

Nothing here writes: the verifier of the backoffice and `jackpot token verify` call it too, and
must never burn a token. Burning happens in `sessions.exchange`.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import jwt
from django.utils import timezone

from jackpot.core.problems import Problem, invalid_token
from jackpot.partners import credentials
from jackpot.partners.models import Partner
from jackpot.tokens.claims import TokenClaims, parse_claims

ALGORITHM = "HS256"
# Header parameters that would let a token pick its own key: the key only ever comes from us.
KEY_CARRYING_HEADERS = {"jku", "jwk", "x5u", "x5c", "crit", "b64"}
MAX_TOKEN_LENGTH = 8192


@dataclass(frozen=True)
class VerifiedToken:
    partner: Partner
    header: dict
    payload: dict
    claims: TokenClaims
    digest: str  # SHA-256 of the signed input `header.payload`: what burns


def signed_input_digest(token: str) -> str:
    signed_input = token.strip().rsplit(".", 1)[0]
    return hashlib.sha256(signed_input.encode()).hexdigest()


def read_unverified(token: str) -> tuple[dict, dict]:
    """Header and payload of a token without checking anything: for display and routing only."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid_token("The token is empty or too long.", "malformed-token")
    if token.count(".") != 2:
        raise invalid_token("A JWT has three dot-separated parts.", "malformed-token")
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise invalid_token(f"The token cannot be decoded: {exc}.", "malformed-token") from None
    if not isinstance(payload, dict):
        raise invalid_token("The token's payload is not a JSON object.", "malformed-token")
    try:  # NaN, Infinity and lone surrogates are not JSON, though Python's parser reads them
        text = json.dumps([header, payload], allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")
        if "\\u0000" in text:  # NUL fits no field and PostgreSQL text refuses it
            raise ValueError("NUL character")
    except ValueError:  # UnicodeEncodeError is a ValueError
        raise invalid_token(
            "The token holds NaN, Infinity, NUL or invalid Unicode.", "malformed-token"
        ) from None
    return header, payload


def origin_host(origin: str | None) -> str:
    if not origin or origin == "null":
        return ""
    try:
        return (urlsplit(origin).hostname or "").lower()
    except ValueError:
        return ""


def resolve_partner(
    header: dict, payload: dict, client_id: str | None, origin: str | None
) -> Partner:
    """`iss` claim or `kid` header, else the client_id, else the Origin's authorised domain.

    Every named source must agree: a token naming partner A presented as partner B is refused.
    """
    named = {
        source: value
        for source, value in (
            ("iss", payload.get("iss")),
            ("kid", header.get("kid")),
            ("client_id", client_id),
        )
        if value not in (None, "")
    }
    if any(not isinstance(v, str) for v in named.values()):
        raise invalid_token("iss, kid and client_id must be strings.", "malformed-token")
    if len(set(named.values())) > 1:
        raise Problem(
            "partner-mismatch",
            "The token names another partner",
            401,
            "iss, kid and client_id name different partners.",
        )
    if named:
        partner_id = next(iter(named.values()))
        partner = Partner.objects.filter(pk=partner_id, enabled=True).first()
        if partner is None:
            raise Problem("unknown-partner", "Unknown partner", 401, f"No partner {partner_id!r}.")
        return partner
    host = origin_host(origin)
    if host:
        for partner in Partner.objects.filter(enabled=True).exclude(domains=""):
            if credentials.domain_authorised(partner, host):
                return partner
        raise Problem(
            "unknown-partner",
            "Unknown partner",
            401,
            f"The origin {host} is not an authorised domain of any partner.",
        )
    raise Problem(
        "unknown-partner",
        "Which partner?",
        401,
        "Name the partner with an iss claim, a kid header or client_id, or call from an "
        "authorised domain.",
    )


def _check_header(header: dict) -> None:
    if header.get("alg") != ALGORITHM:
        raise invalid_token(f"Only {ALGORITHM} tokens are accepted.", "unsupported-algorithm")
    carried = KEY_CARRYING_HEADERS & set(header)
    if carried:
        raise invalid_token(
            f"Header parameter(s) {', '.join(sorted(carried))} are not accepted.",
            "unsupported-header",
        )


def _check_signature(token: str, partner: Partner, now: datetime) -> None:
    for secret in credentials.valid_signatures(partner, now):
        try:
            jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "verify_iss": False,
                },
            )
            return
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise invalid_token(f"The token cannot be decoded: {exc}.", "malformed-token") from None
    raise invalid_token(
        "The signature does not match this partner's apiSignature.", "invalid-signature"
    )


def verify(
    token: str, *, client_id: str | None = None, origin: str | None = None, now=None
) -> VerifiedToken:
    """Check everything SPEC §2 asks except single use; raise `Problem` on the first failure."""
    now = now or timezone.now()
    token = token.strip() if isinstance(token, str) else token
    header, payload = read_unverified(token)
    _check_header(header)
    partner = resolve_partner(header, payload, client_id, origin)
    _check_signature(token, partner, now)
    claims = parse_claims(payload, partner.session_ceiling, now)
    return VerifiedToken(partner, header, payload, claims, signed_input_digest(token))


def describe(token: str, *, client_id: str | None = None, origin: str | None = None) -> dict:
    """What the token verifier shows: header, claims, validity and use, without burning."""
    from jackpot.tokens.models import TokenBurn

    report: dict = {
        "header": None,
        "claims": None,
        "partner": None,
        "signatureValid": False,
        "valid": False,
        "alreadyUsed": None,
        "problem": None,
    }
    try:
        header, payload = read_unverified(token)
        report["header"], report["claims"] = header, payload
        _check_header(header)
        partner = resolve_partner(header, payload, client_id, origin)
        report["partner"] = partner.id
        report["alreadyUsed"] = TokenBurn.objects.filter(
            partner=partner, digest=signed_input_digest(token)
        ).exists()
        _check_signature(token, partner, timezone.now())
        report["signatureValid"] = True
        parse_claims(payload, partner.session_ceiling, timezone.now())
        report["valid"] = not report["alreadyUsed"]
    except Problem as problem:
        report["problem"] = problem.as_dict()
    return json.loads(json.dumps(report, default=str))
