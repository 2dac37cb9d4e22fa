"""The rules a partner token's claims must follow (SPEC §2), checked after the signature."""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation

from django.conf import settings

from jackpot.core.formats import POSTCODE
from jackpot.core.problems import Problem

# Patterns are matched whole (fullmatch): `$` alone would let a final newline through.
PRINTABLE = re.compile(r"[\x20-\x7e]{1,128}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
# An amount sent as a string: ASCII digits and a dot, as JSON writes numbers (no `_`, no
# exponent, no other script's digits, all of which Python's Decimal would read).
AMOUNT_TEXT = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,30})?")
AGE_TEXT = re.compile(r"[0-9]{1,3}")
CENT = Decimal("0.01")
# Amounts are rounded to the cent in this context, whatever the caller set: Decimal's default
# precision, and a loud failure (caught below) for an amount that does not fit in it.
_AMOUNT_CONTEXT = Context(prec=28, traps=[InvalidOperation])


@dataclass(frozen=True)
class TokenClaims:
    amount: Decimal
    iat: datetime
    notification_key: str
    user_id: str = ""
    postcode: str = ""
    age: int | None = None
    gender: str = ""
    force_manual_confirm: bool = False
    email: str = ""
    custom_transaction_id: str = ""


def _claim_error(name: str, message: str) -> Problem:
    return Problem(
        "invalid-token-claims",
        "The partner token's claims are invalid",
        422,
        f"{name}: {message}",
        errors=[{"field": name, "message": message}],
    )


def _seconds(payload: dict, name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _claim_error(name, "must be a number of seconds since the epoch")
    return int(value)


def parse_amount(raw) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _claim_error("amount", "must be a number")
    try:
        if isinstance(raw, str) and not AMOUNT_TEXT.fullmatch(raw):
            raise InvalidOperation
        # repr of a JSON float is its shortest round-trip form: 19.99 stays "19.99".
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw))
    except InvalidOperation:
        raise _claim_error("amount", "must be a number") from None
    if not value.is_finite() or value <= 0:
        raise _claim_error("amount", "must be greater than 0")
    try:
        cents = value.quantize(CENT, context=_AMOUNT_CONTEXT)
    except InvalidOperation:  # more digits than any amount of money has
        raise _claim_error("amount", "is too large") from None
    if cents != value:  # "19.990" is 19.99; "19.999" is not rounded
        raise _claim_error("amount", "must have at most 2 decimals")
    return cents


def check_times(payload: dict, now: datetime) -> datetime:
    """Check `iat` (required), `exp` and `nbf`; return the issue time."""
    if "iat" not in payload:
        raise _claim_error("iat", "is required")
    iat = _seconds(payload, "iat")
    stamp = now.timestamp()
    skew, max_age = settings.JACKPOT_TOKEN_CLOCK_SKEW, settings.JACKPOT_TOKEN_MAX_AGE
    if iat > stamp + skew:
        raise Problem(
            "token-not-yet-valid",
            "The partner token is issued in the future",
            401,
            "iat is more than 60 seconds ahead of the platform's clock; check the server clock.",
        )
    if iat < stamp - max_age:
        raise Problem(
            "token-expired",
            "The partner token is too old",
            401,
            f"iat is more than {max_age} seconds old; build a fresh token for each visit.",
        )
    exp = _seconds(payload, "exp")
    if exp is not None and exp <= stamp:
        raise Problem("token-expired", "The partner token has expired", 401, "exp has passed.")
    nbf = _seconds(payload, "nbf")
    if nbf is not None and nbf > stamp + skew:
        raise Problem(
            "token-not-yet-valid", "The partner token is not valid yet", 401, "nbf is ahead."
        )
    return datetime.fromtimestamp(iat, tz=UTC)


USER_ID_LIMIT = 128


def is_user_id(value) -> bool:
    """Whether `value` is a userId a token may carry (non-empty): at most 128 printable
    characters, as `parse_claims` accepts it (a numeric one arrives here as its text)."""
    return isinstance(value, str) and 0 < len(value) <= USER_ID_LIMIT and value.isprintable()


def _optional_string(payload: dict, name: str, limit: int = 128) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a numeric userId is a common partner habit
    if not isinstance(value, str) or len(value) > limit:
        raise _claim_error(name, f"must be a string of at most {limit} characters")
    if not value.isprintable():
        raise _claim_error(name, "must not hold control characters (line breaks, tabs…)")
    return value


def parse_claims(payload: dict, ceiling: Decimal, now: datetime) -> TokenClaims:
    iat = check_times(payload, now)
    if "amount" not in payload:
        raise _claim_error("amount", "is required")
    amount = parse_amount(payload["amount"])
    if amount > ceiling:
        raise _claim_error("amount", f"exceeds this partner's per-session ceiling of {ceiling}")

    key = payload.get("notificationKey")
    if isinstance(key, int) and not isinstance(key, bool):
        key = str(key)
    if not isinstance(key, str) or not PRINTABLE.fullmatch(key):
        raise _claim_error("notificationKey", "is required: 1 to 128 printable characters")

    postcode = payload.get("cp")
    if postcode is None or postcode == "":
        postcode = ""
    else:
        postcode = str(postcode).upper() if not isinstance(postcode, bool) else "?"
        if not POSTCODE.fullmatch(postcode):
            raise _claim_error("cp", "must be a French postcode (5 digits, 2A/2B) or a prefix")

    age = payload.get("age")
    if age is not None:
        if isinstance(age, str) and AGE_TEXT.fullmatch(age):
            age = int(age)
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130:
            raise _claim_error("age", "must be an integer from 0 to 130")

    gender = payload.get("gender") or ""
    if gender not in ("", "M", "F"):
        raise _claim_error("gender", "must be M or F")

    force = payload.get("forceManualConfirm", False)
    if not isinstance(force, bool):
        raise _claim_error("forceManualConfirm", "must be a boolean")

    email = _optional_string(payload, "email", 254)
    if email and not EMAIL.fullmatch(email):
        raise _claim_error("email", "must be an e-mail address")

    return TokenClaims(
        amount=amount,
        iat=iat,
        notification_key=key,
        user_id=_optional_string(payload, "userId", USER_ID_LIMIT),
        postcode=postcode,
        age=age,
        gender=gender,
        force_manual_confirm=force,
        email=email,
        custom_transaction_id=_optional_string(payload, "customTransactionId"),
    )
