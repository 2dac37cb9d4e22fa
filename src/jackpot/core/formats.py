"""How money and dates are written in the partner contract."""

import re
from datetime import UTC, datetime
from decimal import Decimal

# A French postcode (5 digits, Corsica 2A/2B) or a department prefix of one; ASCII digits only.
# Match it whole (`POSTCODE.fullmatch`): a final newline must not pass.
POSTCODE = re.compile(r"[0-9]{1,5}|2[AB][0-9]{0,3}")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and `Z`, as the seed's voucher object writes dates."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def amount(value: Decimal | None) -> float | int | None:
    """A 2-place Decimal as a JSON number: `110` for whole amounts (as the seed), else `52.48`.

    JSON has no decimal type; a number with at most two decimals round-trips exactly through
    any client's double, and we never compute with the float ourselves.
    """
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        return int(value)
    return float(value)
