"""Money and numbers as people read them, in a language's own way: `1 234,50 €` in French,
`€1,234.50` in English. The one rule for every amount a person reads: the partner portal, the
operator admin, the voucher PDF and its mail. Not the partner contract's JSON numbers, which
`core.formats` writes.

The language is the active one unless the caller names one (a PDF or a mail has no request:
it says which language each of its lines is in).
"""

from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
NBSP = "\u00a0"


def money(value, currency: str = "EUR", decimals: int = 2, language: str | None = None) -> str:
    """`value` in `currency`, written the way `language` (default: the active one) writes it.

    French puts the symbol (or the ISO code) after the number, a no-break space between;
    English puts a symbol before the number, unspaced, and an ISO code before it with a space
    (`CHF 12.00`).
    """
    if value is None or value == "":
        return "—"
    language = (language or translation.get_language() or "en")[:2]
    with translation.override(language):
        number = number_format(Decimal(value), decimal_pos=decimals, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    if language == "fr":
        return f"{number}{NBSP}{symbol or currency}"
    negative = number.startswith("-")
    sign, number = ("-", number[1:]) if negative else ("", number)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency}{NBSP}{number}"


def compact(value, currency: str | None = None) -> str:
    """Short axis labels: 950, 1.2k, 3.4M (in the active language's decimal mark)."""
    value = Decimal(value)
    suffix = ""
    for limit, letter in ((Decimal(1_000_000), "M"), (Decimal(1000), "k")):
        if abs(value) >= limit:
            value, suffix = value / limit, letter
            break
    decimals = 0 if value == value.to_integral_value() or abs(value) >= 10 else 1
    text = number_format(value.quantize(Decimal(1) / (10**decimals)), decimal_pos=decimals)
    unit = SYMBOLS.get(currency, currency) if currency else ""
    return f"{text}{suffix}{(NBSP + unit) if unit else ''}"
