"""The catalogue importer's refusals, worded for the operator's form in the operator's language.

The rules live in the importer's schema (`catalog.importer`, `catalog.rules`); this module only
says which form field an error belongs to and words it: our own rules by their error type, the
schema's by pydantic's (`greater_than_equal`, `decimal_max_places`…) with their limits.
"""

from django.utils.translation import gettext_lazy as _

# Where the catalogue file's names land in the forms.
FIELDS = {
    "id": "id",
    "mode": "mode",
    "tiers": "tiers",
    "start": "start",
    "end": "end",
    "rounding": "rounding",
    "targeting.postcodes": "target_postcodes",
    "targeting.ageMin": "target_age_min",
    "targeting.ageMax": "target_age_max",
    "targeting.gender": "target_gender",
    "budget": "budget",
    "maxVouchers": "max_vouchers",
    "name": "name",
    "slug": "slug",
    "description": "description",
    "mentions": "mentions",
    "baseColor": "base_color",
    "logos.small": "logo_small",
    "logos.medium": "logo_medium",
    "logos.large": "logo_large",
    "illustration": "illustration",
    "categories": "categories",
    "online": "online",
    "inStore": "in_store",
    "shippingTime": "shipping_time",
    "validityMonths": "validity_months",
    "voucherValueMin": "voucher_value_min",
    "voucherValueMax": "voucher_value_max",
    "voucherValueStep": "voucher_value_step",
    "voucherPossibleDiscreteValues": "voucher_possible_discrete_values",
    "enabled": "enabled",
    "codeSource": "code_source",
}

# Our own rules (`catalog.rules`): the field they concern, and their words.
RULES = {
    "postcode": (
        "target_postcodes",
        _("“%(prefix)s” is not a French postcode or department prefix (75, 2A, 13008)."),
    ),
    "tiers_same_start": ("tiers", _("Two tiers start at the same amount.")),
    "naive_datetime": (None, _("A date needs a time zone.")),
    "end_before_start": ("end", _("The campaign ends before it starts.")),
    "age_range": ("target_age_max", _("The maximum age is below the minimum age.")),
    "values_missing": (
        "voucher_value_min",
        _("Give a minimum and a maximum value, or the list of accepted values."),
    ),
    "values_range": ("voucher_value_max", _("The maximum value is below the minimum value.")),
    "values_positive": (
        "voucher_possible_discrete_values",
        _("Accepted values are above zero."),
    ),
    "budget_below_spent": (
        "budget",
        _("The budget is below the %(spent)s € reservations already hold."),
    ),
    "cap_below_issued": (
        "max_vouchers",
        _("The cap is below the %(issued)s vouchers already issued."),
    ),
}

# A whole field's words, whatever the schema's complaint (an item's number is %(n)s).
FIELD_WORDS = {
    "tiers": _("At least one tier."),
    "tiers.from": _("Tier %(n)s: it starts from 0 € or more, with at most 2 decimals."),
    "tiers.rate": _(
        "Tier %(n)s: the rate is a percentage from 0 to 99.99, with at most 2 decimals."
    ),
    "voucherPossibleDiscreteValues": _(
        "Value %(n)s: an amount above zero, with at most 2 decimals."
    ),
    "id": _(
        "Lower-case letters, digits, “-” and “_”, starting with a letter or a digit "
        "(64 characters at most)."
    ),
    "slug": _(
        "Lower-case letters, digits, “-” and “_”, starting with a letter or a digit "
        "(64 characters at most)."
    ),
    "baseColor": _("A colour written #0a5 or #00aa55."),
}

# The schema's own error types, for the other fields.
TYPES = {
    "greater_than_equal": _("Enter %(ge)s or more."),
    "greater_than": _("Enter more than %(gt)s."),
    "less_than_equal": _("Enter %(le)s or less."),
    "less_than": _("Enter less than %(lt)s."),
    "decimal_max_places": _("At most %(decimal_places)s decimals."),
    "decimal_max_digits": _("At most %(max_digits)s digits."),
    "decimal_whole_digits": _("Too many digits before the decimal point."),
    "string_too_short": _("This field is required."),
    "string_too_long": _("At most %(max_length)s characters."),
    "missing": _("This field is required."),
    "literal_error": _("Choose one of the values offered."),
}


def worded(error: dict) -> tuple[str | None, str]:
    """(form field or None, message) for one of pydantic's error dicts."""
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    if error["type"] in RULES:
        field, words = RULES[error["type"]]
        return field, words % context
    names = [str(p) for p in error["loc"] if isinstance(p, str)]
    items = [p for p in error["loc"] if isinstance(p, int)]
    path = ".".join(names)
    field = FIELDS.get(path) or FIELDS.get(names[0] if names else "")
    context["n"] = str(items[0] + 1) if items else ""
    words = FIELD_WORDS.get(path) or TYPES.get(error["type"])
    if words is None:
        return field, _("Not accepted: %(detail)s") % {"detail": error["msg"]}
    return field, words % context
