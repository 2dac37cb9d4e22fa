"""Catalogue files for tests: the SPEC's sample and a second store, the rows an import leaves,
and the pool store tests add to the small catalogue ("halles", whose codes come from a pool)."""

import json

from jackpot.catalog.models import Campaign, Store

# SPEC §4, verbatim: "at least this must load".
SPEC_SAMPLE = """
  {"stores": [{"id": "sportmax", "name": "SportMax", "baseColor": "#0a5", "validityMonths": 12,
     "voucherValueMin": 10, "voucherValueMax": 500, "voucherValueStep": 1, "codeSource": "generated",
     "campaigns": [{"id": "sportmax-launch", "mode": "majoration",
        "tiers": [{"from": 0, "rate": "0.05"}, {"from": 50, "rate": "0.08"}, {"from": 100, "rate": "0.10"}],
        "start": "2026-01-01T00:00:00Z", "end": null, "rounding": "cent",
        "targeting": {"postcodes": ["75", "92"], "ageMin": 18, "ageMax": null, "gender": null},
        "budget": "1000.00", "maxVouchers": null}]}]}
"""  # noqa: E501


def sample() -> dict:
    return json.loads(SPEC_SAMPLE)


def second_store() -> dict:
    return {
        "id": "bookly",
        "name": "Bookly",
        "voucherPossibleDiscreteValues": [10, 20, 50],
        "campaigns": [
            {
                "id": "bookly-min",
                "mode": "minoration",
                "tiers": [{"from": 0, "rate": "0.10"}],
                "start": "2026-01-01T00:00:00Z",
            }
        ],
    }


def rows() -> tuple[list[dict], list[dict]]:
    """Every column of every store and campaign, in a stable order."""
    return (
        list(Store.objects.order_by("id").values()),
        list(Campaign.objects.order_by("id").values()),
    )


def rows_without_timestamps() -> tuple[list[dict], list[dict]]:
    stores, campaigns = rows()
    for row in stores:
        row.pop("updated_at")
    for row in campaigns:
        row.pop("created_at")
    return stores, campaigns


def pool_store(codes: list[dict], values=(20, 50, 70), rate: str = "0.06", **more) -> dict:
    """The store as a catalogue file holds it, with the codes, values and bonus a test needs."""
    return {
        "id": "halles",
        "name": "Primeur des Halles",
        "voucherPossibleDiscreteValues": list(values),
        "codeSource": "pool",
        **more,
        "codes": codes,
        "campaigns": [
            {
                "id": "halles-saison",
                "mode": "majoration",
                "tiers": [{"from": 0, "rate": rate}],
                "start": "2026-01-01T00:00:00Z",
            }
        ],
    }
