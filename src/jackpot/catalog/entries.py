"""A store or a campaign row as the catalogue file names it, values as stored (Decimals, dates).

The file's names for what a row holds, in one place: `importer.export_catalog` writes these
entries out (numbers and dates in the file's format), and `importer.check_store` /
`check_campaign` validate them with the file's own schema, which is how the operator admin's
forms apply the very rules an import applies.
"""

from decimal import Decimal

from jackpot.catalog.models import Campaign, Store
from jackpot.catalog.representation import store_identity, store_terms


def store_entry(store: Store) -> dict:
    """The store without its codes and campaigns: either its discrete values or min/max/step."""
    entry = {
        **store_identity(store),
        "logos": {
            k: v
            for k, v in (
                ("small", store.logo_small),
                ("medium", store.logo_medium),
                ("large", store.logo_large),
            )
            if v
        },
        "illustration": store.illustration or None,
        "categories": list(store.categories or []),
        **store_terms(store),
        "enabled": store.enabled,
        "codeSource": store.code_source,
    }
    if store.voucher_possible_discrete_values:
        entry["voucherPossibleDiscreteValues"] = [
            Decimal(str(v)) for v in store.voucher_possible_discrete_values
        ]
    else:
        entry["voucherValueMin"] = store.voucher_value_min
        entry["voucherValueMax"] = store.voucher_value_max
        entry["voucherValueStep"] = store.voucher_value_step
    return entry


def campaign_entry(campaign: Campaign) -> dict:
    c = campaign
    return {
        "id": c.id,
        "mode": c.mode,
        "tiers": [
            {"from": Decimal(str(t["from"])), "rate": Decimal(str(t["rate"]))}
            for t in c.tiers or []
        ],
        "start": c.start,
        "end": c.end,
        "rounding": c.rounding,
        "targeting": {
            "postcodes": list(c.target_postcodes or []),
            "ageMin": c.target_age_min,
            "ageMax": c.target_age_max,
            "gender": c.target_gender or None,
        },
        "budget": c.budget,
        "maxVouchers": c.max_vouchers,
    }
