"""A partner's abuse limits: what they are, how a person types them, how they are changed.

Four optional limits live on the Partner row (so that everything copying a partner's settings
copies them too): vouchers per userId per day and per month, amount converted per userId per
month, reservations per client address per hour. Null is "no limit". The admin, the CLI and
the portal all read and write them through this module; `limits.enforcement` applies them.
"""

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from jackpot.core.money import parse_amount
from jackpot.partners.models import Partner

# The Partner column of each limit, by the name the CLI, the JSON and the problems use.
FIELDS = {
    "perUserDay": "limit_per_user_day",
    "perUserMonth": "limit_per_user_month",
    "amountPerUserMonth": "limit_amount_per_user_month",
    "perAddressHour": "limit_per_address_hour",
}
COUNTS = ("perUserDay", "perUserMonth", "perAddressHour")
LARGEST_COUNT = 2_147_483_647  # what a PositiveIntegerField holds on every database
WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class Limits:
    per_user_day: int | None = None
    per_user_month: int | None = None
    amount_per_user_month: Decimal | None = None
    per_address_hour: int | None = None

    @property
    def any_user_limit(self) -> bool:
        return any(
            v is not None
            for v in (self.per_user_day, self.per_user_month, self.amount_per_user_month)
        )

    @property
    def any(self) -> bool:
        return self.any_user_limit or self.per_address_hour is not None

    def as_json(self) -> dict:
        """The limits under their API names; the amount as a string with two places."""
        values = asdict(self)
        amount = values["amount_per_user_month"]
        return {
            "perUserDay": values["per_user_day"],
            "perUserMonth": values["per_user_month"],
            "amountPerUserMonth": f"{amount:.2f}" if amount is not None else None,
            "perAddressHour": values["per_address_hour"],
        }


def limits_of(partner: Partner) -> Limits:
    return Limits(
        per_user_day=partner.limit_per_user_day,
        per_user_month=partner.limit_per_user_month,
        amount_per_user_month=partner.limit_amount_per_user_month,
        per_address_hour=partner.limit_per_address_hour,
    )


def parse_count(text: object) -> int:
    """A limit typed by a person: a whole number, at least 1 (ASCII digits only, no sign).

    Raises ValueError with a sentence saying what is wrong; callers add the field's name.
    """
    raw = str(text).strip()
    if not WHOLE_NUMBER.fullmatch(raw):
        raise ValueError(f"{raw!r} is not a whole number")
    value = int(raw)
    if value < 1:
        raise ValueError(f"{raw!r} must be at least 1")
    if value > LARGEST_COUNT:
        raise ValueError(f"{raw!r} is too large")
    return value


def parse_limit(name: str, text: object) -> int | Decimal:
    """The value of limit `name` (a key of FIELDS) from what a person typed."""
    if name == "amountPerUserMonth":
        return parse_amount(text)
    return parse_count(text)


def set_limits(partner: Partner, values: dict, *, clear: bool = False) -> Limits:
    """Change some limits of `partner` (`values` by API name; None removes one); with `clear`,
    the limits not named are removed too. Validated as the admin validates them: a bad value
    raises ValidationError naming the field, and nothing is saved."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
    changes = {column: None for column in FIELDS.values()} if clear else {}
    changes.update({FIELDS[name]: value for name, value in values.items()})
    if not changes:
        return limits_of(partner)
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for column, value in changes.items():
            setattr(partner, column, value)
        # The limits' own fields only: the partner's other rules (its domains) are not what
        # changes here, and must not block a limit on a partner set up long ago.
        partner.clean_fields(
            exclude=[f.name for f in Partner._meta.fields if f.name not in changes]
        )
        partner.save(update_fields=list(changes))
    return limits_of(partner)


def validation_message(error: ValidationError) -> str:
    """A refusal of `set_limits` as one line, under the API names of the limits."""
    names = {column: name for name, column in FIELDS.items()}
    return "; ".join(
        f"{names.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )
