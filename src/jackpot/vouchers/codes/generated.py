"""Generated codes (SPEC §6.4): 16 random characters of Crockford's base 32 and a check character.

80 bits from `secrets`, and one Luhn mod 32 check character: a typo (one wrong character, or two
neighbours swapped) is caught before any database look-up. A code is minted at exactly the
voucher's value, unique across the platform (a database constraint), and checked and redeemed by
the store through the merchant API with its store key (`codes.merchant`).
"""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from jackpot.catalog.models import CodeSource
from jackpot.core.compiled import insert
from jackpot.vouchers.models import Code, CodeState, Voucher

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
RANDOM_CHARS = 16  # 16 × 5 bits = 80 bits of secrets.choice
CODE_LENGTH = RANDOM_CHARS + 1
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
# What people type instead (Crockford's decoding rules).
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _luhn_sum(chars: str, double_first: bool) -> int:
    n = len(ALPHABET)
    total, factor = 0, (2 if double_first else 1)
    for char in reversed(chars):
        addend = factor * _INDEX[char]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return total


def check_character(payload: str) -> str:
    """Luhn mod 32 check character of `payload` (characters of ALPHABET)."""
    n = len(ALPHABET)
    return ALPHABET[(n - _luhn_sum(payload, double_first=True) % n) % n]


def checksum_ok(code: str) -> bool:
    return (
        len(code) == CODE_LENGTH
        and all(c in _INDEX for c in code)
        and _luhn_sum(code, double_first=False) % len(ALPHABET) == 0
    )


# Test vouchers' codes start with TEST (`new_specimen_code`); a real code never does, so a code
# read aloud or printed is seen to be fake, and a real one is never mistaken for a test one.
SPECIMEN_PREFIX = "TEST"


def new_generated_code() -> str:
    while True:
        payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
        if not payload.startswith(SPECIMEN_PREFIX):
            return payload + check_character(payload)


def new_specimen_code() -> str:
    """A visibly fake code for a test voucher: TEST, 12 random characters and a check
    character, shown TEST-XXXX-XXXX-XXXX-C."""
    rest = RANDOM_CHARS - len(SPECIMEN_PREFIX)
    payload = SPECIMEN_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(rest))
    return payload + check_character(payload)


def normalise(text: str) -> str:
    """A generated code as people write it (lower case, spaces, dashes, O for 0) → canonical."""
    return re.sub(r"[\s-]", "", text).upper().translate(_READS_AS)


def display(code: str) -> str:
    """A generated code in groups of four for people to read: XXXX-XXXX-XXXX-XXXX-C."""
    if len(code) != CODE_LENGTH or not all(c in _INDEX for c in code):
        return code
    return "-".join(code[i : i + 4] for i in range(0, RANDOM_CHARS, 4)) + "-" + code[-1]


def mint(voucher: Voucher, specimen: bool = False) -> Code:
    """The voucher's one generated code, issued at its value, inside the caller's transaction.

    `specimen`: a test voucher's fake TEST… code (`new_specimen_code`); it is no pool stock, and
    the merchant API refuses it (`codes.merchant`).
    """
    now = timezone.now()
    draw = new_specimen_code if specimen else new_generated_code
    for _ in range(5):  # a collision of 80 random bits: only in theory
        try:
            with transaction.atomic():
                return insert(
                    Code(
                        store=voucher.store,
                        source=CodeSource.GENERATED,
                        code=draw(),
                        value=voucher.value,
                        currency=voucher.currency,
                        expiry=voucher.validity_date.date(),
                        state=CodeState.ISSUED,
                        voucher=voucher,
                        created_at=now,
                        issued_at=now,
                    )
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not mint a unique code")
