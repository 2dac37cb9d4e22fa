"""Money and numbers as people read them on screen, in the active language (`1 234,50 €` in
French): shared by the partner portal and the operator admin, so both write amounts alike.
Not the partner contract's JSON numbers, which `core.formats` writes."""

from decimal import Decimal

from django.utils.formats import number_format

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def money(value, currency: str = "EUR", decimals: int = 2) -> str:
    if value is None or value == "":
        return "—"
    number = number_format(Decimal(value), decimal_pos=decimals, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    return f"{number}\u00a0{symbol}"


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
    return f"{text}{suffix}{(chr(0xA0) + unit) if unit else ''}"
