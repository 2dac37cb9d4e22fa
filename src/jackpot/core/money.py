"""Money arithmetic that stays exact on both databases.

PostgreSQL's numeric is exact, but SQLite keeps DECIMAL columns as binary floats and adds them as
floats: 1.43 + 2.38 − 3.81 is −2.2e-16 there, enough to break a `>= 0` check or refuse the last
voucher a budget covers exactly. So arithmetic done in SQL is rounded back to the cent in the
same statement, and sums read back are quantized to the cent. Python-side money is `Decimal`.
"""

import re
from decimal import Decimal

from django.db.models import DecimalField
from django.db.models.functions import Round

CENT = Decimal("0.01")


def in_cents(expression):
    """An SQL money expression rounded to two places, typed as a decimal."""
    return Round(expression, 2, output_field=DecimalField(max_digits=14, decimal_places=2))


def exact(total) -> Decimal:
    """A money sum read back from the database (None for an empty sum) as an exact Decimal."""
    return (Decimal(total) if total is not None else Decimal("0")).quantize(CENT)


# What a person may type as an amount: ASCII digits, at most two decimals after a dot (or a
# comma, as French users write it). Not Python's Decimal syntax: no exponent, no `_` between
# digits (`Decimal("100_0")` is 1000), no NaN or Infinity, no sign.
AMOUNT_TEXT = re.compile(r"[0-9]{1,10}(?:[.,][0-9]{1,2})?")


def parse_amount(text: object) -> Decimal:
    """A positive amount of at most two decimals typed by a person (CLI, CSV, query string).

    Raises ValueError with a sentence that names what is wrong; callers add the field's name.
    """
    raw = str(text).strip()
    if not AMOUNT_TEXT.fullmatch(raw):
        raise ValueError(f"{raw!r} is not an amount (digits, at most 2 decimals)")
    value = Decimal(raw.replace(",", "."))
    if value <= 0:
        raise ValueError(f"{raw!r} must be a positive amount")
    return value.quantize(CENT)
