"""An invalid catalogue file (SPEC §4, §12) is refused whole, with a message naming the field,
and nothing of it is written, even when the import fails halfway.
"""

import copy
from decimal import Decimal

import pytest
from pydantic import ValidationError

from jackpot.catalog import importer
from jackpot.catalog.models import Campaign, Store
from jackpot.vouchers import catalogue_import
from support.catalogue import rows, sample, second_store

pytestmark = pytest.mark.django_db


def _store(data):
    return data["stores"][0]


def _campaign(data):
    return data["stores"][0]["campaigns"][0]


INVALID = {
    "unknown field on a store": (
        lambda d: _store(d).update(colour="red"),
        ["stores.0.colour"],
    ),
    "tier rate of 1": (
        lambda d: _campaign(d)["tiers"][2].update(rate="1"),
        ["stores.0.campaigns.0.tiers.2.rate"],
    ),
    "tier rate above 1": (
        lambda d: _campaign(d)["tiers"][0].update(rate="1.5"),
        ["stores.0.campaigns.0.tiers.0.rate"],
    ),
    "negative budget": (
        lambda d: _campaign(d).update(budget="-1.00"),
        ["stores.0.campaigns.0.budget"],
    ),
    "voucherValueMin above voucherValueMax": (
        lambda d: _store(d).update(voucherValueMin=600),
        ["stores.0", "voucherValueMin", "voucherValueMax"],
    ),
    "mode other": (
        lambda d: _campaign(d).update(mode="other"),
        ["stores.0.campaigns.0.mode"],
    ),
    "duplicate store ids": (
        lambda d: d["stores"].append({**copy.deepcopy(_store(d)), "campaigns": []}),
        ["store ids", "sportmax"],
    ),
    "duplicate campaign ids": (
        lambda d: d["stores"].append(
            {**second_store(), "campaigns": copy.deepcopy(_store(d)["campaigns"])}
        ),
        ["campaign ids", "sportmax-launch"],
    ),
    "campaign ending before it starts": (
        lambda d: _campaign(d).update(end="2025-12-31T00:00:00Z"),
        ["stores.0.campaigns.0", "end", "start"],
    ),
    "naive start": (
        lambda d: _campaign(d).update(start="2026-01-01T00:00:00"),
        ["stores.0.campaigns.0", "time zone"],
    ),
    "postcode ABC": (
        lambda d: _campaign(d)["targeting"].update(postcodes=["75", "ABC"]),
        ["stores.0.campaigns.0.targeting.postcodes", "'ABC'"],
    ),
    "ageMin above ageMax": (
        lambda d: _campaign(d)["targeting"].update(ageMin=50, ageMax=20),
        ["stores.0.campaigns.0", "ageMin", "ageMax"],
    ),
    "budget with 3 decimals": (
        lambda d: _campaign(d).update(budget="10.005"),
        ["stores.0.campaigns.0.budget"],
    ),
    "no tiers": (
        lambda d: _campaign(d).update(tiers=[]),
        ["stores.0.campaigns.0.tiers"],
    ),
    "no accepted values": (
        lambda d: [_store(d).pop(k) for k in ("voucherValueMin", "voucherValueMax")],
        ["stores.0", "voucherValueMin"],
    ),
    "no stores key": (lambda d: d.pop("stores"), ["stores"]),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_file_is_refused_with_a_message_naming_the_field(case):
    mutate, expected = INVALID[case]
    data = sample()
    mutate(data)

    with pytest.raises(importer.CatalogError) as refused:
        catalogue_import.import_catalog(data)

    message = str(refused.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert Store.objects.count() == 0 and Campaign.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-01-01T00:00:00", "2027-01-01T00:00:00Z"),
        ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00"),
    ],
    ids=["naive start, aware end", "aware start, naive end"],
)
def test_a_naive_date_beside_an_aware_one_is_refused_as_invalid(start, end):
    data = sample()
    _campaign(data).update(start=start, end=end)

    with pytest.raises(importer.CatalogError, match="time zone"):
        catalogue_import.import_catalog(data)


def test_two_stores_with_the_same_slug_are_refused_as_invalid():
    data = sample()
    data["stores"].append({**second_store(), "slug": "sportmax"})

    with pytest.raises(importer.CatalogError, match="slug"):
        catalogue_import.import_catalog(data)


def test_a_budget_too_large_to_store_is_refused_as_invalid():
    data = sample()
    _campaign(data)["budget"] = "10000000000.00"

    with pytest.raises(importer.CatalogError, match="budget"):
        catalogue_import.import_catalog(data)


def test_a_budget_below_what_was_already_spent_is_refused_as_invalid():
    catalogue_import.import_catalog(sample())
    Campaign.objects.update(bonus_spent=Decimal("100.00"))
    data = sample()
    _campaign(data)["budget"] = "50.00"

    with pytest.raises(importer.CatalogError, match="budget"):
        catalogue_import.import_catalog(data)


def test_a_voucher_cap_below_the_vouchers_already_issued_is_refused():
    catalogue_import.import_catalog(sample())
    Campaign.objects.update(vouchers_issued=3)
    data = sample()
    _campaign(data)["maxVouchers"] = 2

    with pytest.raises(importer.CatalogError, match="maxVouchers 2 is below the 3 vouchers"):
        catalogue_import.import_catalog(data)
    assert Campaign.objects.get().max_vouchers is None


def test_rows_are_checked_with_the_files_rules():
    """What the admin's forms call: the stored rows, validated as the file would hold them."""
    catalogue_import.import_catalog(sample())
    store, campaign = Store.objects.get(), Campaign.objects.get()
    assert importer.check_store(store).id == "sportmax"
    assert [t.rate for t in importer.check_campaign(campaign).tiers] == [
        Decimal("0.05"),
        Decimal("0.08"),
        Decimal("0.10"),
    ]
    campaign.target_postcodes = ["75", "7X"]
    campaign.end = campaign.start
    with pytest.raises(ValidationError) as refused:
        importer.check_campaign(campaign)
    assert {(e["type"], e["loc"]) for e in refused.value.errors()} == {
        ("postcode", ("targeting", "postcodes")),
    }
    campaign.target_postcodes = []
    with pytest.raises(ValidationError) as refused:
        importer.check_campaign(campaign)
    assert [e["type"] for e in refused.value.errors()] == ["end_before_start"]


def test_nothing_is_written_when_one_store_of_several_is_invalid():
    data = sample()
    data["stores"].append(second_store())
    data["stores"][1]["campaigns"][0]["tiers"][0]["rate"] = "1.00"

    with pytest.raises(importer.CatalogError, match=r"stores\.1\.campaigns\.0\.tiers\.0\.rate"):
        catalogue_import.import_catalog(data)

    assert Store.objects.count() == 0 and Campaign.objects.count() == 0


def test_an_import_failing_halfway_rolls_back_what_it_had_written():
    other = second_store()
    other["campaigns"] = []
    catalogue_import.import_catalog({"stores": [other]})
    Campaign.objects.create(
        id="sportmax-launch",
        store_id="bookly",
        mode="majoration",
        tiers=[{"from": "0.00", "rate": "0.05"}],
        start="2026-01-01T00:00:00Z",
    )
    before = rows()

    # sportmax is written first, then its campaign is found to belong to another store.
    with pytest.raises(importer.CatalogError, match="belongs to store bookly"):
        catalogue_import.import_catalog(sample())

    assert not Store.objects.filter(pk="sportmax").exists()
    assert rows() == before
