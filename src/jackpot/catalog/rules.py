"""The catalogue's own rules, each with an error type: the importer's schema raises them, the
operator admin words them in the operator's language by that type.

(The schema's other errors, a rate of 1, three decimals, are pydantic's own types: `less_than`,
`decimal_max_places`…) The English here is what a catalogue file's reader is told.
"""

from decimal import Decimal

from pydantic_core import PydanticCustomError

from jackpot.catalog.models import Campaign

RULES = {
    "postcode": "'{prefix}' is not a postcode or department prefix",
    "tiers_same_start": "two tiers start at the same amount",
    "naive_datetime": "{name} needs a time zone (use Z for UTC)",
    "end_before_start": "end must be after start",
    "age_range": "targeting.ageMin is above ageMax",
    "values_missing": "give voucherValueMin and voucherValueMax, or voucherPossibleDiscreteValues",
    "values_range": "voucherValueMin is above voucherValueMax",
    "values_positive": "voucherPossibleDiscreteValues must be positive",
    "codes_not_pool": "codes are for codeSource 'pool' stores",
    "codes_twice": "codes appear twice: {codes}",
    "budget_below_spent": "budget {budget} is below the {spent} already held by reservations",
    "cap_below_issued": "maxVouchers {cap} is below the {issued} vouchers already issued",
}


def broken(rule: str, **context) -> PydanticCustomError:
    """The error a validator raises when `rule` is broken (its English words, its context)."""
    return PydanticCustomError(rule, RULES[rule], context)


def consumed_beyond(
    campaign_id: str, budget: Decimal | None, max_vouchers: int | None
) -> list[PydanticCustomError]:
    """A budget or a voucher cap set below what reservations already took from the campaign.

    Nothing gives back what confirmed vouchers consumed, so neither a file nor the admin may
    lower a campaign's limits under it.
    """
    row = (
        Campaign.objects.filter(pk=campaign_id)
        .values_list("bonus_spent", "vouchers_issued")
        .first()
    )
    if row is None:
        return []
    spent, issued = row
    problems = []
    if budget is not None and spent > budget:
        problems.append(broken("budget_below_spent", budget=budget, spent=spent))
    if max_vouchers is not None and issued > max_vouchers:
        problems.append(broken("cap_below_issued", cap=max_vouchers, issued=issued))
    return problems
