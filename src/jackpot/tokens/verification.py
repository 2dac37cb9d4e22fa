"""Verifying a partner token: whose it is, whether its signature holds, what it claims.

Nothing here writes: the verifier of the backoffice and `jackpot token verify` call it too, and
must never burn a token. Burning happens in `sessions.exchange`.

PyJWT parses the token once (`read_unverified`): its header and payload name the partner, whose
keys then check the signature with PyJWT's own HS256 algorithm object, on the signed input and
the signature that parse gave. Calling `jwt.decode` with each candidate key parsed the token
again every time and prepared the key again every time (PyJWT makes sure an HMAC secret is not a
PEM, SSH, DER or JWK key, which costs four times the HMAC): three parses and a key preparation
were more than half of a verification (bench/README.md, "Micro benchmarks").
"""

import functools
import hashlib
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import jwt
from django.utils import timezone
from jwt.algorithms import HMACAlgorithm
from jwt.warnings import InsecureKeyLengthWarning

from jackpot.core.compiled import CompiledQuery
from jackpot.core.problems import Problem, invalid_token
from jackpot.partners import credentials, domains
from jackpot.partners.models import ApiSignature, Partner
from jackpot.tokens.claims import TokenClaims, parse_claims

ALGORITHM = "HS256"
# Header parameters that would let a token pick its own key: the key only ever comes from us.
KEY_CARRYING_HEADERS = {"jku", "jwk", "x5u", "x5c", "crit", "b64"}
MAX_TOKEN_LENGTH = 8192
_HS256 = HMACAlgorithm(HMACAlgorithm.SHA256)
# The payload checks `jwt.decode` made besides those the claim rules make themselves (times,
# issuer): `sub` and `jti`, when present, must be strings.
_READ_OPTIONS = {"verify_signature": False, "verify_sub": True, "verify_jti": True}


@dataclass(frozen=True)
class VerifiedToken:
    partner: Partner
    header: dict
    payload: dict
    claims: TokenClaims
    digest: str  # SHA-256 of the signed input `header.payload`: what burns


@dataclass(frozen=True)
class UnverifiedToken:
    """A token as PyJWT parsed it, nothing checked yet: for routing, display, and the checks."""

    header: dict
    payload: dict
    signing_input: bytes  # `header.payload` as sent: what the signature covers, and what burns
    signature: bytes  # decoded from its base64url segment by PyJWT

    @property
    def digest(self) -> str:
        """SHA-256 of the signed input: the burn key (SPEC §2)."""
        return hashlib.sha256(self.signing_input).hexdigest()


def read_unverified(token: str) -> UnverifiedToken:
    """The token parsed by PyJWT, once, without checking the signature."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid_token("The token is empty or too long.", "malformed-token")
    if token.count(".") != 2:
        raise invalid_token("A JWT has three dot-separated parts.", "malformed-token")
    try:
        decoded = jwt.decode_complete(token, options=_READ_OPTIONS)
    except jwt.PyJWTError as exc:
        raise invalid_token(f"The token cannot be decoded: {exc}.", "malformed-token") from None
    header, payload = decoded["header"], decoded["payload"]
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
    # PyJWT split the same bytes at the same last dot to find the signature.
    signing_input = token.rsplit(".", 1)[0].encode("utf-8")
    return UnverifiedToken(header, payload, signing_input, decoded["signature"])


# Tokens name the live partner (its id is the one partners know); the signature then says the
# mode (`signed_mode`). A test twin's own id names nothing.
_enabled_partner = CompiledQuery(
    lambda partner_id: Partner.objects.live().filter(pk=partner_id, enabled=True),
    "partner-example",
)
_enabled_twin = CompiledQuery(
    lambda partner_id: Partner.objects.filter(live_partner_id=partner_id, enabled=True),
    "partner-example",
)


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
        partner = _enabled_partner.first(partner_id)
        if partner is None:
            raise Problem("unknown-partner", "Unknown partner", 401, f"No partner {partner_id!r}.")
        return partner
    seen = domains.origin(origin)
    if seen is not None:
        owner = _owner_of(seen)
        if owner is not None:
            return owner
        raise Problem(
            "unknown-partner",
            "Unknown partner",
            401,
            f"The origin {seen} is not an authorised domain of any partner.",
        )
    raise Problem(
        "unknown-partner",
        "Which partner?",
        401,
        "Name the partner with an iss claim, a kid header or client_id, or call from an "
        "authorised domain.",
    )


def _owner_of(seen: domains.Origin) -> Partner | None:
    """The enabled partner whose entry lets the Origin in (partners.domains). Since the
    ownership rule there is one; where older data overlaps, the closest entry wins."""
    best, owner = None, None
    for partner in Partner.objects.live().filter(enabled=True).exclude(domains=""):
        fit = domains.specificity(partner.domain_entries, seen)
        if fit is not None and (best is None or fit > best):
            best, owner = fit, partner
    return owner


def check_header(header: dict) -> None:
    if header.get("alg") != ALGORITHM:
        raise invalid_token(f"Only {ALGORITHM} tokens are accepted.", "unsupported-algorithm")
    carried = KEY_CARRYING_HEADERS & set(header)
    if carried:
        raise invalid_token(
            f"Header parameter(s) {', '.join(sorted(carried))} are not accepted.",
            "unsupported-header",
        )


@functools.lru_cache(maxsize=256)
def _hmac_key(secret: str) -> bytes:
    """PyJWT's prepared HS256 key for an apiSignature, prepared once per secret.

    Preparing refuses a secret that is an asymmetric key or a JWK (algorithm confusion), as
    `jwt.decode` does, and warns, as it does, when the secret is shorter than the hash.
    """
    key = _HS256.prepare_key(secret)
    message = _HS256.check_key_length(key)
    if message:
        warnings.warn(message, InsecureKeyLengthWarning, stacklevel=2)
    return key


def check_signature(token: UnverifiedToken, secrets: Iterable[str]) -> None:
    """Pass when one of ``secrets`` signed the token with HS256; else raise `Problem`.

    PyJWT's HS256 computes the HMAC of the signed input and compares it in constant time.
    """
    if token.header.get("alg") != ALGORITHM:  # check_header says so first; never trust order
        raise invalid_token(f"Only {ALGORITHM} tokens are accepted.", "unsupported-algorithm")
    for secret in secrets:
        try:
            key = _hmac_key(secret)
        except jwt.PyJWTError as exc:  # a secret PyJWT refuses as an HMAC key
            raise invalid_token(f"The token cannot be decoded: {exc}.", "malformed-token") from None
        if _HS256.verify(token.signing_input, key, token.signature):
            return
    raise invalid_token(
        "The signature does not match this partner's apiSignature.", "invalid-signature"
    )


def signed_mode(token: UnverifiedToken, partner: Partner, now: datetime) -> Partner:
    """The live partner when one of its apiSignatures signed the token, else its test twin when
    one of the twin's did: a token signed with a test apiSignature opens a test session.
    Neither: `invalid-signature`, as for any partner."""
    try:
        check_signature(token, credentials.valid_signatures(partner, now))
        return partner
    except Problem as refused:
        twin = None if partner.is_test else _enabled_twin.first(partner.pk)
        if twin is None or refused.code != "invalid-signature":
            raise
        check_signature(token, credentials.valid_signatures(twin, now))
        return twin


def check_token(
    token: UnverifiedToken, secrets: Iterable[str], ceiling: Decimal, now: datetime
) -> TokenClaims:
    """What `verify` checks once the header passed `check_header` and the partner is known.

    The signature (made with one of ``secrets``), then the claims (``ceiling`` is the partner's
    per-session one). Pure: no query, so the benchmark measures it alone.
    """
    check_signature(token, secrets)
    return parse_claims(token.payload, ceiling, now)


def verify(
    token: str, *, client_id: str | None = None, origin: str | None = None, now=None
) -> VerifiedToken:
    """Check everything SPEC §2 asks except single use; raise `Problem` on the first failure."""
    now = now or timezone.now()
    token = token.strip() if isinstance(token, str) else token
    read = read_unverified(token)
    check_header(read.header)
    partner = resolve_partner(read.header, read.payload, client_id, origin)
    partner = signed_mode(read, partner, now)
    claims = parse_claims(read.payload, partner.session_ceiling, now)
    return VerifiedToken(partner, read.header, read.payload, claims, read.digest)


def signer_of(token: UnverifiedToken, now: datetime) -> Partner | None:
    """The enabled partner one of whose valid apiSignatures signed ``token``, found by trying
    them all; None when none did.

    For the operator's verifier only, when nothing names the partner: a token built as the
    guide's samples build it has no `iss` and no `kid`, and the exchange finds its partner by
    the `client_id` or the page's Origin, which a command line has neither of. The exchange
    itself never tries every key: its cost would grow with the partners, on every request.
    """
    signatures = ApiSignature.objects.filter(partner__enabled=True).select_related("partner")
    for signature in signatures:
        if credentials.signature_status(signature, now) == "expired":
            continue
        try:
            key = _hmac_key(signature.secret)
        except jwt.PyJWTError:
            continue
        if _HS256.verify(token.signing_input, key, token.signature):
            return signature.partner
    return None


def _verifier_partner(
    read: UnverifiedToken, client_id: str | None, origin: str | None, now: datetime
) -> tuple[Partner, str]:
    """The partner as the exchange finds it (`resolve_partner`), else the one whose key signed
    the token (`signer_of`), and how it was found."""
    named = [
        (source, value)
        for source, value in (
            ("iss", read.payload.get("iss")),
            ("kid", read.header.get("kid")),
            ("client_id", client_id),
            ("origin", origin),
        )
        if value not in (None, "")
    ]
    if named:
        return resolve_partner(read.header, read.payload, client_id, origin), named[0][0]
    signer = signer_of(read, now)
    if signer is None:
        raise Problem(
            "unknown-partner",
            "Which partner?",
            401,
            "Nothing names the partner (no iss claim, kid header, client id or Origin) and no "
            "partner's apiSignature signed this token.",
        )
    return signer, "signature"


def describe(token: str, *, client_id: str | None = None, origin: str | None = None) -> dict:
    """What the token verifier shows: header, claims, validity and use, without burning.

    The partner is found as the exchange finds it; when nothing names it (a token built as the
    guide's samples build it, verified from the command line), as the one whose apiSignature
    signed it (`partnerFoundBy` says which way).
    """
    from jackpot.tokens.models import TokenBurn

    report: dict = {
        "header": None,
        "claims": None,
        "partner": None,
        "partnerFoundBy": None,
        "livemode": None,
        "signatureValid": False,
        "valid": False,
        "alreadyUsed": None,
        "problem": None,
    }
    try:
        read = read_unverified(token)
        report["header"], report["claims"] = read.header, read.payload
        check_header(read.header)
        partner, found_by = _verifier_partner(read, client_id, origin, timezone.now())
        report["partner"], report["partnerFoundBy"] = partner.live_id, found_by
        report["alreadyUsed"] = TokenBurn.objects.filter(
            partner=partner, digest=read.digest
        ).exists()
        signed = signed_mode(read, partner, timezone.now())
        report["livemode"], report["signatureValid"] = signed.livemode, True
        if signed.pk != partner.pk:  # a test token: burnt, if at all, by the test twin
            partner = signed
            report["alreadyUsed"] = TokenBurn.objects.filter(
                partner=partner, digest=read.digest
            ).exists()
        parse_claims(read.payload, partner.session_ceiling, timezone.now())
        report["valid"] = not report["alreadyUsed"]
    except Problem as problem:
        report["problem"] = problem.as_dict()
    return json.loads(json.dumps(report, default=str))
