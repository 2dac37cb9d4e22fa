"""Reservation rules (SPEC §5): bad input changes nothing, one voucher per notificationKey, and
releasing every reservation gives the whole budget back."""

from decimal import Decimal

import pytest

from jackpot.catalog.models import Campaign
from jackpot.tokens.models import Session
from jackpot.vouchers import lifecycle, reservation
from jackpot.vouchers.models import Voucher
from jackpot.webhooks.models import OutboxEvent
from support.reservations import new_session

BY_VALUE = "/v2/stores/{store}/offers/{offer}/reserve-voucher-by-value"
SPORTMAX = BY_VALUE.format(store="sportmax", offer="sportmax-launch")


def nothing_reserved():
    campaign = Campaign.objects.get(pk="sportmax-launch")
    return (
        Voucher.objects.count() == 0 and campaign.bonus_spent == 0 and campaign.vouchers_issued == 0
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"value": -10}, "value"),
        ({"value": 0}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": 10.005}, "value"),
        ({"value": 30, "discount": 5}, "discount"),
        ({}, "value"),
    ],
)
def test_invalid_bodies_are_422_problems_naming_the_field(
    partner, catalog, api_client, build_token, body, field
):
    session = api_client.session(build_token())
    status, problem = api_client.post(SPORTMAX, body, bearer=session)
    assert status == 422
    assert problem["code"] == "validation-error"
    assert problem["errors"][0]["field"] == field
    assert nothing_reserved()
    assert Session.objects.get().closed_at is None  # the session can still reserve


def test_a_price_above_the_session_amount_is_refused(partner, catalog, api_client, build_token):
    session = api_client.session(build_token(amount=50))
    status, problem = api_client.post(SPORTMAX, {"value": 110}, bearer=session)
    assert status == 422 and problem["code"] == "amount-exceeds-budget"
    assert nothing_reserved()


def test_a_value_the_store_does_not_accept_is_refused(partner, catalog, api_client, build_token):
    session = api_client.session(build_token())
    path = BY_VALUE.format(store="bookly", offer="bookly-min")
    status, problem = api_client.post(path, {"value": 30}, bearer=session)
    assert status == 422 and problem["code"] == "value-not-accepted"
    assert Voucher.objects.count() == 0


def test_offers_not_targeted_at_the_session_cannot_be_reserved(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token(cp="69001"))
    _, stores = api_client.get("/v2/stores", bearer=session)
    assert "sportmax" not in {s["id"] for s in stores["items"]}
    status, problem = api_client.post(SPORTMAX, {"value": 30}, bearer=session)
    assert status == 404 and problem["code"] == "offer-not-found"
    assert nothing_reserved()


def test_the_session_ends_with_its_reservation(partner, catalog, api_client, build_token):
    session = api_client.session(build_token())
    status, first = api_client.post(SPORTMAX, {"value": 30}, bearer=session)
    assert status == 201
    status, _ = api_client.get("/v2/stores", bearer=session)
    assert status == 401
    # Replaying the reservation returns the same voucher rather than a second one.
    status, again = api_client.post(SPORTMAX, {"value": 50}, bearer=session)
    assert status == 200 and again["id"] == first["id"] and again["value"] == 30


def test_the_same_notification_key_in_a_new_token_returns_the_first_voucher(
    partner, catalog, api_client, build_token
):
    first_session = api_client.session(build_token(notificationKey="order-1", userId="a"))
    _, first = api_client.post(SPORTMAX, {"value": 30}, bearer=first_session)
    second_session = api_client.session(build_token(notificationKey="order-1", userId="b"))
    status, second = api_client.post(SPORTMAX, {"value": 60}, bearer=second_session)
    assert status == 200 and second["id"] == first["id"]
    assert Voucher.objects.count() == 1
    assert Campaign.objects.get(pk="sportmax-launch").vouchers_issued == 1


def test_an_expired_session_is_refused(partner, catalog, api_client, build_token):
    from datetime import timedelta

    from django.utils import timezone

    session = api_client.session(build_token())
    Session.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    status, problem = api_client.get("/v2/stores", bearer=session)
    assert status == 401 and problem["code"] == "session-closed"
    status, problem = api_client.post(SPORTMAX, {"value": 30}, bearer=session)
    assert status == 409 and problem["code"] == "session-closed"
    assert nothing_reserved()


def test_an_exhausted_campaign_refuses_with_a_conflict(partner, catalog, api_client, build_token):
    Campaign.objects.filter(pk="sportmax-launch").update(budget=Decimal("1.00"))
    session = api_client.session(build_token())
    status, problem = api_client.post(SPORTMAX, {"value": 110}, bearer=session)
    assert status == 409 and problem["code"] == "offer-exhausted"
    assert Voucher.objects.count() == 0


def test_in_notification_mode_the_voucher_waits_for_the_partners_answer(
    make_partner, catalog, api_client, build_token
):
    make_partner(
        "acme", confirmation_mode="notification", notification_url="https://acme.example/h"
    )
    session = api_client.session(build_token())
    status, voucher = api_client.post(SPORTMAX, {"value": 30}, bearer=session)
    assert status == 201 and voucher["state"] == "RESERVED"


def test_reservation_and_confirmation_are_written_to_the_outbox(
    make_partner, catalog, api_client, build_token
):
    make_partner("acme", notification_url="https://acme.example/hooks/jackpot")
    session = api_client.session(build_token(notificationKey="12345"))
    _, voucher = api_client.post(SPORTMAX, {"value": 30}, bearer=session)
    events = list(
        OutboxEvent.objects.order_by("created_at", "event").values_list("event", flat=True)
    )
    assert sorted(events) == ["coupon/confirmed", "coupon/reserved"]
    envelope = OutboxEvent.objects.get(event="coupon/confirmed").payload
    assert envelope["message"]["notificationKey"] == "12345"
    assert envelope["message"]["couponId"] == voucher["couponId"]
    assert envelope["message"]["data"]["state"] == "CONFIRMED"
    assert voucher["backUrl"] == "https://acme.example/hooks/jackpot?notificationKey=12345"


def test_a_failed_reservation_writes_no_notification(
    make_partner, catalog, api_client, build_token
):
    make_partner("acme", notification_url="https://acme.example/hooks")
    session = api_client.session(build_token(amount=10))
    api_client.post(SPORTMAX, {"value": 110}, bearer=session)
    assert OutboxEvent.objects.count() == 0


@pytest.mark.parametrize("amount", [20, 100, 250])
def test_every_listed_price_reserves_the_voucher_it_was_listed_with(
    partner, api_client, build_token, settings, amount
):
    """A partner that takes a price from the store list or the proposed vouchers gets a voucher
    listed at that price: the largest one, when several values round to the same price.

    Prices are rounded (to the cent, or up to the euro), so the value must come from the listing,
    not from P × (1 + rate): 96.33 € at +9 % is listed as a 105 € voucher, not 104.99 €.
    """
    from jackpot.catalog import importer
    from jackpot.vouchers import catalogue_import

    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 0  # one token exchange per listed voucher
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    Campaign.objects.update(budget=None, max_vouchers=None)  # every listed voucher, one by one
    session = api_client.session(build_token(amount=amount))
    _, stores = api_client.get("/v2/stores", bearer=session)
    listed = []
    for store in stores["items"]:
        _, proposed = api_client.get(f"/v2/stores/{store['id']}/proposed-vouchers", bearer=session)
        listed += [(store["id"], v) for v in proposed["vouchers"]]
        listed.append((store["id"], store["bestOffer"]))
    assert len(listed) > len(stores["items"])
    largest = {}
    for store_id, quote in listed:
        key = (store_id, quote["offerId"], quote["price"])
        largest[key] = max(largest.get(key, 0), quote["value"])
    for n, (store_id, quote) in enumerate(listed):
        session = api_client.session(build_token(amount=amount, notificationKey=f"listed-{n}"))
        path = f"/v2/stores/{store_id}/offers/{quote['offerId']}/reserve-voucher-by-price"
        status, voucher = api_client.post(path, {"price": quote["price"]}, bearer=session)
        assert status == 201, (store_id, quote, voucher)
        expected = largest[(store_id, quote["offerId"], quote["price"])]
        assert (voucher["initialAmount"], voucher["value"]) == (quote["price"], expected)


def test_a_price_no_voucher_is_listed_at_is_refused(partner, catalog, api_client, build_token):
    session = api_client.session(build_token())
    path = "/v2/stores/bookly/offers/bookly-min/reserve-voucher-by-price"
    status, problem = api_client.post(path, {"price": "31.00"}, bearer=session)
    assert status == 422 and problem["code"] == "value-not-accepted"
    assert Voucher.objects.count() == 0


def test_a_coupon_id_already_taken_is_drawn_again(
    partner, catalog, api_client, build_token, monkeypatch
):
    from jackpot.vouchers import reservation

    session = api_client.session(build_token())
    _, first = api_client.post(SPORTMAX, {"value": 30}, bearer=session)
    draws = iter([first["couponId"], "ZZZZZZZZZZ"])  # the first draw clashes with `first`
    monkeypatch.setattr(reservation, "new_coupon_id", lambda: next(draws))

    session = api_client.session(build_token(notificationKey="another-user"))
    status, second = api_client.post(SPORTMAX, {"value": 30}, bearer=session)

    assert status == 201 and second["couponId"] == "ZZZZZZZZZZ"
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.vouchers_issued == 2  # the clashing attempt took nothing
    assert OutboxEvent.objects.filter(event="coupon/reserved").count() == 2


@pytest.mark.django_db
def test_releasing_every_reservation_gives_the_whole_budget_back(make_partner, catalog):
    manual = make_partner("acme", confirmation_mode="manual")
    first, second = (
        reservation.reserve(
            new_session(manual), "sportmax", "sportmax-launch", by="value", amount=Decimal(value)
        ).voucher
        for value in (30, 50)
    )
    assert (first.bonus, second.bonus) == (Decimal("1.43"), Decimal("2.38"))
    lifecycle.transition(second.pk, "expire", "worker")
    lifecycle.transition(first.pk, "cancel", "partner:acme")
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert (campaign.bonus_spent, campaign.vouchers_issued) == (0, 0)
