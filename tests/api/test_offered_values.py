"""The API offers what the widget shows (`catalog.pricing.best_deals`): one voucher per value,
never one that its price buys a larger voucher of, and reserving such a value by value is
refused with the voucher the price buys instead."""

import pytest

from jackpot.catalog.models import Campaign
from jackpot.vouchers.models import Voucher

pytestmark = pytest.mark.django_db
OFFER = "/v2/stores/sportmax/offers/sportmax-launch"


def test_a_store_lists_110_euros_for_100_and_not_108_nor_109(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())

    _, listed = api_client.get("/v2/stores/sportmax/proposed-vouchers", bearer=session)
    _, everything = api_client.get("/v2/stores/proposed-vouchers", bearer=session)
    _, offer = api_client.get(OFFER, bearer=session)

    at_100 = [v["value"] for v in listed["vouchers"] if v["price"] == 100]
    assert at_100 == [110]
    assert [v["value"] for v in listed["vouchers"]][-3:] == [106, 107, 110]
    (sportmax,) = [i for i in everything["items"] if i["store"]["id"] == "sportmax"]
    assert sportmax["vouchers"] == listed["vouchers"] == offer["vouchers"]


def test_a_mixed_store_lists_each_value_once(partner, catalog, api_client, build_token):
    session = api_client.session(build_token())

    _, listed = api_client.get("/v2/stores/mixte/proposed-vouchers", bearer=session)

    values = [v["value"] for v in listed["vouchers"]]
    assert values == sorted(set(values)) and values[-1] == 105
    assert {v["offerId"] for v in listed["vouchers"]} == {"mixte-all.minoration"}


def test_reserving_a_value_its_price_buys_more_than_is_refused_and_names_the_better_one(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())

    status, problem = api_client.post(
        f"{OFFER}/reserve-voucher-by-value", {"value": 108}, bearer=session
    )

    assert status == 422 and problem["code"] == "value-not-offered"
    assert (problem["betterValue"], problem["price"]) == (110, 100)
    assert problem["errors"][0]["field"] == "value"
    assert not Voucher.objects.exists()
    assert Campaign.objects.get(pk="sportmax-launch").bonus_spent == 0
    status, voucher = api_client.post(
        f"{OFFER}/reserve-voucher-by-value", {"value": 110}, bearer=session
    )
    assert status == 201 and (voucher["value"], voucher["price"]) == (110, 100)


def test_reserving_by_the_price_of_110_euros_gets_110_euros(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())

    status, voucher = api_client.post(
        f"{OFFER}/reserve-voucher-by-price", {"price": 100}, bearer=session
    )

    assert status == 201 and voucher["value"] == 110


def test_a_value_listed_because_the_larger_one_cannot_be_funded_can_be_reserved(
    partner, catalog, api_client, build_token
):
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=991)  # 9 € of bonus left
    session = api_client.session(build_token())
    _, listed = api_client.get("/v2/stores/sportmax/proposed-vouchers", bearer=session)
    assert listed["vouchers"][-1]["value"] == 109

    status, voucher = api_client.post(
        f"{OFFER}/reserve-voucher-by-value", {"value": 109}, bearer=session
    )

    assert status == 201 and (voucher["value"], voucher["price"]) == (109, 100)
