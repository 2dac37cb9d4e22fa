"""The catalogue file (SPEC §4, §12): `jackpot catalog import|export`.

The file uses the API's own names; import is an idempotent upsert that never touches what
reservations consumed; an export imports back unchanged; the demo catalogue loads.
"""

import json
from decimal import Decimal

import pytest
from django.db.models.signals import pre_save

from jackpot.catalog import importer, offers
from jackpot.catalog.models import Campaign, Store
from jackpot.vouchers import catalogue_import
from support.catalogue import rows, rows_without_timestamps, sample, second_store

pytestmark = pytest.mark.django_db


def test_the_spec_sample_loads_one_store_and_one_campaign():
    report = catalogue_import.import_catalog(sample())

    assert report.created == ["store sportmax", "campaign sportmax-launch"]
    assert report.updated == [] and report.unchanged == []
    store = Store.objects.get()
    assert store.id == "sportmax"
    assert store.name == "SportMax"
    assert store.base_color == "#0a5"
    assert store.validity_months == 12
    assert store.voucher_value_min == Decimal("10")
    assert store.voucher_value_max == Decimal("500")
    assert store.voucher_value_step == Decimal("1")
    assert store.code_source == "generated"
    assert store.enabled is True


def test_the_spec_sample_stores_tiers_targeting_and_budget():
    catalogue_import.import_catalog(sample())

    campaign = Campaign.objects.get()
    assert campaign.id == "sportmax-launch"
    assert campaign.store_id == "sportmax"
    assert campaign.mode == "majoration"
    assert [(t.start, t.rate) for t in campaign.rules()[0].tiers] == [
        (Decimal("0.00"), Decimal("0.05")),
        (Decimal("50.00"), Decimal("0.08")),
        (Decimal("100.00"), Decimal("0.10")),
    ]
    assert campaign.start.isoformat() == "2026-01-01T00:00:00+00:00"
    assert campaign.end is None
    assert campaign.rounding == "cent"
    assert campaign.target_postcodes == ["75", "92"]
    assert campaign.target_age_min == 18
    assert campaign.target_age_max is None
    assert campaign.target_gender == ""
    assert campaign.budget == Decimal("1000.00")
    assert campaign.max_vouchers is None
    assert campaign.bonus_spent == Decimal("0") and campaign.vouchers_issued == 0


def test_reimporting_the_same_file_reports_everything_unchanged_and_writes_nothing():
    catalogue_import.import_catalog(sample())
    before = rows()

    report = catalogue_import.import_catalog(sample())

    assert report.created == [] and report.updated == []
    assert report.unchanged == ["store sportmax", "campaign sportmax-launch"]
    assert rows() == before  # every column, the store's updated_at included


def test_a_changed_tier_rate_updates_that_campaign_and_nothing_else():
    catalogue_import.import_catalog(sample())
    store_before = Store.objects.values().get()
    changed = sample()
    changed["stores"][0]["campaigns"][0]["tiers"][1]["rate"] = "0.09"

    report = catalogue_import.import_catalog(changed)

    assert report.as_dict() == {
        "created": [],
        "updated": ["campaign sportmax-launch"],
        "unchanged": ["store sportmax"],
    }
    campaign = Campaign.objects.get()
    assert campaign.tiers[1] == {"from": "50.00", "rate": "0.09"}
    assert campaign.budget == Decimal("1000.00")
    assert Store.objects.values().get() == store_before


def test_a_changed_store_field_updates_that_store_and_nothing_else():
    catalogue_import.import_catalog(sample())
    changed = sample()
    changed["stores"][0]["name"] = "SportMax Paris"

    report = catalogue_import.import_catalog(changed)

    assert report.updated == ["store sportmax"]
    assert report.unchanged == ["campaign sportmax-launch"]
    assert Store.objects.get().name == "SportMax Paris"


def test_reimport_never_resets_what_reservations_consumed():
    catalogue_import.import_catalog(sample())
    Campaign.objects.update(bonus_spent=Decimal("12.34"), vouchers_issued=3)

    catalogue_import.import_catalog(sample())  # unchanged
    changed = sample()
    changed["stores"][0]["campaigns"][0]["budget"] = "2000.00"
    catalogue_import.import_catalog(changed)  # updated

    campaign = Campaign.objects.get()
    assert campaign.budget == Decimal("2000.00")
    assert campaign.bonus_spent == Decimal("12.34")
    assert campaign.vouchers_issued == 3


def test_reimport_keeps_a_reservation_made_while_it_runs():
    catalogue_import.import_catalog(sample())
    Campaign.objects.update(bonus_spent=Decimal("10.00"), vouchers_issued=1)

    def reservation_commits_meanwhile(sender, instance, **kwargs):
        # What reservation.py does, landing after the importer read the row.
        from django.db.models import F

        Campaign.objects.filter(pk=instance.pk).update(
            bonus_spent=F("bonus_spent") + Decimal("1.43"), vouchers_issued=F("vouchers_issued") + 1
        )

    changed = sample()
    changed["stores"][0]["campaigns"][0]["budget"] = "2000.00"
    pre_save.connect(reservation_commits_meanwhile, sender=Campaign)
    try:
        catalogue_import.import_catalog(changed)
    finally:
        pre_save.disconnect(reservation_commits_meanwhile, sender=Campaign)

    campaign = Campaign.objects.get()
    assert campaign.budget == Decimal("2000.00")
    assert (campaign.bonus_spent, campaign.vouchers_issued) == (Decimal("11.43"), 2)


def test_export_then_import_into_a_fresh_database_gives_identical_rows():
    data = sample()
    data["stores"].append(second_store())
    data["stores"][0]["campaigns"][0]["end"] = "2027-06-30T23:59:59Z"
    catalogue_import.import_catalog(data)
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    before = rows_without_timestamps()
    exported = importer.export_catalog()

    Store.objects.all().delete()  # campaigns go with their store
    assert Campaign.objects.count() == 0
    report = catalogue_import.import_catalog(json.loads(json.dumps(exported)))

    assert report.updated == [] and report.unchanged == []
    assert rows_without_timestamps() == before
    assert importer.export_catalog() == exported


def test_reimporting_an_export_changes_nothing():
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    before = rows()

    report = catalogue_import.import_catalog(json.loads(json.dumps(importer.export_catalog())))

    assert report.created == [] and report.updated == []
    assert rows() == before


def test_export_uses_the_files_own_names():
    catalogue_import.import_catalog(sample())
    catalogue_import.import_catalog({"stores": [second_store()]})

    exported = importer.export_catalog()

    sportmax, bookly = (
        next(s for s in exported["stores"] if s["id"] == i) for i in ("sportmax", "bookly")
    )
    assert sportmax["baseColor"] == "#0a5"
    assert sportmax["validityMonths"] == 12
    assert sportmax["codeSource"] == "generated"
    assert (sportmax["voucherValueMin"], sportmax["voucherValueMax"]) == (10, 500)
    assert sportmax["voucherValueStep"] == 1
    assert bookly["voucherPossibleDiscreteValues"] == [10, 20, 50]
    campaign = sportmax["campaigns"][0]
    assert campaign["id"] == "sportmax-launch"
    assert campaign["tiers"] == [
        {"from": 0, "rate": "0.05"},
        {"from": 50, "rate": "0.08"},
        {"from": 100, "rate": "0.10"},
    ]
    assert campaign["targeting"] == {
        "postcodes": ["75", "92"],
        "ageMin": 18,
        "ageMax": None,
        "gender": None,
    }
    assert campaign["budget"] == "1000.00"
    assert campaign["maxVouchers"] is None
    assert campaign["rounding"] == "cent"
    assert campaign["end"] is None
    assert campaign["start"].startswith("2026-01-01T00:00:00")
    assert not any("_" in key for store in exported["stores"] for key in store)


@pytest.fixture
def demo():
    report = catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    assert report.updated == [] and report.unchanged == []
    return report


def test_the_demo_catalogue_loads_at_least_ten_stores(demo):
    assert Store.objects.count() >= 10
    assert Campaign.objects.count() >= 10
    assert len(demo.created) == Store.objects.count() + Campaign.objects.count()


def test_the_demo_catalogue_covers_every_mode_tiers_and_targeting(demo):
    campaigns = list(Campaign.objects.all())
    assert {c.mode for c in campaigns} >= {"majoration", "minoration", "mixed"}
    assert any(len(c.tiers) >= 2 for c in campaigns)
    assert any(c.target_postcodes for c in campaigns)
    assert any(c.target_age_min is not None or c.target_age_max is not None for c in campaigns)
    assert any(c.target_gender for c in campaigns)


def test_the_demo_token_sees_offers_from_at_least_eight_stores(demo):
    # The demo's token: cp 75000, age 40, gender M, amount 100.
    best = offers.best_by_store(
        offers.offers_for(offers.Audience("75000", 40, "M")), Decimal("100")
    )

    assert len({offer.store.id for offer, _ in best}) >= 8
    assert all(quote.price <= Decimal("100") for _, quote in best)
