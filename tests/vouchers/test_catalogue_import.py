"""The catalogue import use case (`jackpot catalog import`, the demo): stores, campaigns, pool
codes and the store events partners hear, together or not at all."""

import copy

import pytest

from jackpot.catalog import importer
from jackpot.catalog.models import Campaign, Store
from jackpot.vouchers import catalogue_import
from jackpot.vouchers.models import Code
from jackpot.webhooks.models import Delivery, OutboxEvent
from support.catalogue import pool_store

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.acme.example/jackpot"

POOL_STORE = pool_store(
    [{"code": "H20-1", "pin": "1", "value": 20}, {"code": "H50-1", "pin": "2", "value": 50}],
    values=[20, 50],
)


def announced():
    return sorted(
        OutboxEvent.objects.filter(event__startswith="store/").values_list(
            "partner_id", "event", "payload__message__storeId"
        )
    )


def test_one_import_loads_stores_campaigns_and_codes_and_tells_every_partner(
    make_partner, catalog_data
):
    make_partner("acme", notification_url=HOOK)
    catalog_data["stores"].append(copy.deepcopy(POOL_STORE))

    report = catalogue_import.import_catalog(catalog_data)

    assert report.codes == {"halles": 2}
    assert Code.objects.filter(store_id="halles", state="available").count() == 2
    assert Campaign.objects.filter(store_id="halles").exists()
    stores = sorted(Store.objects.values_list("pk", flat=True))
    assert announced() == [("acme", "store/enabled", s) for s in stores]
    assert Delivery.objects.filter(partner_id="acme").count() == len(stores)
    data = OutboxEvent.objects.get(payload__message__storeId="halles").payload["message"]["data"]
    assert data["name"] == "Primeur des Halles" and "codes" not in data


def test_a_file_refused_at_its_codes_changes_nothing_and_tells_nobody(make_partner, catalog_data):
    catalog_data["stores"].append(copy.deepcopy(POOL_STORE))
    catalogue_import.import_catalog(catalog_data)
    make_partner("acme", notification_url=HOOK)
    changed = copy.deepcopy(catalog_data)
    changed["stores"][0]["name"] = "SportMax Pro"  # applied, then rolled back with the rest
    changed["stores"][-1]["codes"][0]["pin"] = "9999"  # the same code with other details

    with pytest.raises(importer.CatalogError, match="store halles: .*H20-1' is already in"):
        catalogue_import.import_catalog(changed)

    assert Store.objects.get(pk="sportmax").name == "SportMax"
    assert Code.objects.get(code="H20-1").pin == "1"
    assert not OutboxEvent.objects.exists()


def test_a_store_change_is_announced_once_even_with_its_campaigns_and_codes(
    make_partner, catalog_data
):
    catalog_data["stores"].append(copy.deepcopy(POOL_STORE))
    catalogue_import.import_catalog(catalog_data)
    make_partner("acme", notification_url=HOOK)
    changed = copy.deepcopy(catalog_data)
    halles = changed["stores"][-1]
    halles["name"] = "Les Halles"
    halles["codes"].append({"code": "H20-2", "pin": "3", "value": 20})
    halles["campaigns"][0]["tiers"] = [{"from": 0, "rate": "0.07"}]

    report = catalogue_import.import_catalog(changed)

    assert report.codes == {"halles": 1}
    assert "store halles" in report.updated and "campaign halles-saison" in report.updated
    assert announced() == [("acme", "store/update", "halles")]
