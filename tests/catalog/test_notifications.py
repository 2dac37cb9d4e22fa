"""Partners hear about their catalogue (SPEC §8): store/enabled, store/update, store/disabled.

Every partner gets one event per visible change of a store, written to the outbox in the same
transaction as the change; a save that changes nothing a partner sees tells nobody.
"""

import copy

import pytest
from django.db import transaction

from jackpot.catalog.models import Store
from jackpot.vouchers import catalogue_import
from jackpot.webhooks import store_events as announcements
from jackpot.webhooks.models import Delivery, OutboxEvent
from jackpot.webhooks.store_events import store_event

HOOK = "https://hooks.acme.example/jackpot"


def store_events():
    return list(
        OutboxEvent.objects.filter(event__startswith="store/")
        .order_by("created_at", "partner_id")
        .values_list("partner_id", "event", "payload__message__storeId")
    )


@pytest.fixture
def partners(make_partner):
    return [
        make_partner("acme", notification_url=HOOK),
        make_partner("beta", domains=["b.example"]),
    ]


def with_sportmax(data, **changes):
    data = copy.deepcopy(data)
    data["stores"][0].update(changes)  # sportmax
    return data


def test_stores_that_appear_are_announced_to_every_partner(partners, catalog_data):
    catalogue_import.import_catalog(catalog_data)

    assert sorted(store_events()) == sorted(
        (p, "store/enabled", s) for p in ("acme", "beta") for s in ("sportmax", "bookly", "mixte")
    )
    event = OutboxEvent.objects.get(partner_id="acme", payload__message__storeId="sportmax")
    message = event.payload["message"]
    assert message["data"]["name"] == "SportMax" and message["data"]["baseColor"] == "#0a5"
    assert "couponId" not in message and "notificationKey" not in message
    # Only the partner with a notification URL has deliveries to make.
    assert Delivery.objects.filter(event__event="store/enabled", partner_id="acme").count() == 3
    assert not Delivery.objects.filter(partner_id="beta").exists()


def test_importing_the_same_catalogue_again_tells_nobody(partners, catalog_data):
    catalogue_import.import_catalog(catalog_data)
    before = OutboxEvent.objects.count()

    catalogue_import.import_catalog(catalog_data)

    assert OutboxEvent.objects.count() == before


def test_a_visible_change_is_a_store_update_of_that_store_only(partners, catalog_data):
    catalogue_import.import_catalog(catalog_data)
    OutboxEvent.objects.all().delete()

    catalogue_import.import_catalog(
        with_sportmax(catalog_data, name="SportMax Pro", validityMonths=24)
    )

    assert sorted(store_events()) == [
        ("acme", "store/update", "sportmax"),
        ("beta", "store/update", "sportmax"),
    ]
    data = OutboxEvent.objects.filter(partner_id="acme").get().payload["message"]["data"]
    assert (data["name"], data["validityMonths"]) == ("SportMax Pro", 24)


def test_disabling_then_enabling_a_store(partners, catalog_data):
    catalogue_import.import_catalog(catalog_data)
    OutboxEvent.objects.all().delete()

    catalogue_import.import_catalog(with_sportmax(catalog_data, enabled=False))
    assert [e[1:] for e in store_events()] == [("store/disabled", "sportmax")] * 2

    OutboxEvent.objects.all().delete()
    catalogue_import.import_catalog(
        with_sportmax(catalog_data, enabled=False, name="Renamed while off")
    )
    assert store_events() == []  # partners do not see a disabled store: nothing to tell

    catalogue_import.import_catalog(
        with_sportmax(catalog_data, enabled=True, name="Renamed while off")
    )
    assert [e[1:] for e in store_events()] == [("store/enabled", "sportmax")] * 2


def test_an_operator_edit_is_announced_and_a_save_without_change_is_not(partners, catalog_data):
    catalogue_import.import_catalog(catalog_data)
    OutboxEvent.objects.all().delete()
    store = Store.objects.get(pk="bookly")

    with transaction.atomic(), announcements.announcing(store.pk):  # as the admin saves
        store.code_low_stock_threshold = 3  # not part of what partners see
        store.save()
    assert store_events() == []

    with transaction.atomic(), announcements.announcing(store.pk):
        store.description = "Books, comics and maps."
        store.save()
    assert [e[1:] for e in store_events()] == [("store/update", "bookly")] * 2


def test_a_failed_change_leaves_no_event(partners, catalog_data):
    catalogue_import.import_catalog(catalog_data)
    OutboxEvent.objects.all().delete()
    store = Store.objects.get(pk="bookly")

    with pytest.raises(RuntimeError), transaction.atomic():
        with announcements.announcing(store.pk):
            store.enabled = False
            store.save()
        raise RuntimeError("the operator's save failed after the store row")

    assert Store.objects.get(pk="bookly").enabled
    assert store_events() == []


def test_disabled_partners_are_not_told(make_partner, catalog_data):
    make_partner("acme", notification_url=HOOK)
    make_partner("gone", domains=["gone.example"], notification_url=HOOK).__class__.objects.filter(
        pk="gone"
    ).update(enabled=False)

    catalogue_import.import_catalog(catalog_data)

    assert {p for p, *_ in store_events()} == {"acme"}


@pytest.mark.parametrize(
    "before, after, event",
    [
        (None, (True, {"name": "A"}), "store/enabled"),
        (None, (False, {"name": "A"}), None),
        ((True, {"name": "A"}), (True, {"name": "B"}), "store/update"),
        ((True, {"name": "A"}), (True, {"name": "A"}), None),
        ((True, {"name": "A"}), (False, {"name": "A"}), "store/disabled"),
        ((False, {"name": "A"}), (True, {"name": "B"}), "store/enabled"),
        ((False, {"name": "A"}), (False, {"name": "B"}), None),
    ],
)
def test_which_event_a_change_makes(before, after, event):
    assert store_event(before, after) == event
