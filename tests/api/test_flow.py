"""The whole partner flow through HTTP, as the integration guide describes it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.catalog.models import Campaign
from jackpot.cli import main
from jackpot.vouchers.models import Voucher
from support.seed import SEED_VOUCHER_FIELDS

RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"


@pytest.fixture
def manual_partner(make_partner):
    return make_partner("acme", confirmation_mode="manual")


def test_token_to_confirmed_voucher_in_auto_mode(partner, catalog, api_client, build_token):
    session = api_client.session(build_token(amount=100, customTransactionId="monIdDeTransaction"))

    status, stores = api_client.get("/v2/stores", bearer=session)
    assert status == 200
    sportmax = next(s for s in stores["items"] if s["id"] == "sportmax")
    assert sportmax["bestOffer"] == {
        "offerId": "sportmax-launch",
        "mode": "majoration",
        "price": 100,
        "value": 110,
        "bonus": 10,
        "rate": "0.10",
    }

    status, proposed = api_client.get("/v2/stores/sportmax/proposed-vouchers", bearer=session)
    assert status == 200
    assert {"price": 100, "value": 110}.items() <= proposed["vouchers"][-1].items()

    status, offer = api_client.get("/v2/stores/sportmax/offers/sportmax-launch", bearer=session)
    assert status == 200
    assert offer["tiers"][1] == {"from": 50, "rate": "0.08"}

    status, voucher = api_client.post(RESERVE, {"value": 110}, bearer=session)
    assert status == 201
    assert SEED_VOUCHER_FIELDS <= voucher.keys()
    assert voucher["state"] == "CONFIRMED"  # the guide's callback receives the confirmed coupon
    assert (voucher["value"], voucher["initialAmount"]) == (110, 100)
    assert voucher["paymentState"] == "DUE"
    assert voucher["customTransactionId"] == "monIdDeTransaction"
    assert len(voucher["couponId"]) == 10 and voucher["couponId"].isalpha()
    assert voucher["couponId"].isupper()
    assert voucher["reservationDate"].endswith("Z") and voucher["reservationDate"][-5] != ":"

    status, read = api_client.get(f"/v2/voucher/{voucher['id']}", apikey=partner.issued.apiKey)
    assert status == 200 and read == voucher


def test_manual_mode_waits_for_the_partner_to_confirm(
    manual_partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())
    status, voucher = api_client.post(RESERVE, {"value": 30}, bearer=session)
    assert status == 201 and voucher["state"] == "RESERVED"
    assert voucher["paymentState"] is None and voucher["confirmDate"] is None

    key = manual_partner.issued.apiKey
    status, confirmed = api_client.put(f"/v2/voucher/{voucher['id']}/confirm", apikey=key)
    assert status == 200
    assert confirmed["state"] == "CONFIRMED" and confirmed["paymentState"] == "DUE"
    assert confirmed["confirmDate"] is not None

    status, problem = api_client.put(f"/v2/voucher/{voucher['id']}/cancel", apikey=key)
    assert status == 409 and problem["code"] == "voucher-state-conflict"
    events = Voucher.objects.get(pk=voucher["id"]).events.values_list(
        "from_state", "to_state", "actor"
    )
    assert list(events) == [
        ("", "RESERVED", events[0][2]),
        ("RESERVED", "CONFIRMED", "partner:acme"),
    ]


def test_force_manual_confirm_claim_keeps_an_auto_partners_voucher_reserved(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token(forceManualConfirm=True))
    status, voucher = api_client.post(RESERVE, {"value": 30}, bearer=session)
    assert status == 201 and voucher["state"] == "RESERVED"


def test_cancel_gives_the_budget_back(manual_partner, catalog, api_client, build_token):
    session = api_client.session(build_token())
    _, voucher = api_client.post(RESERVE, {"value": 110}, bearer=session)
    assert Campaign.objects.get(pk="sportmax-launch").bonus_spent == Decimal("10.00")
    status, canceled = api_client.put(
        f"/v2/voucher/{voucher['id']}/cancel",
        {"reason": "user changed their mind"},
        apikey=manual_partner.issued.apiKey,
    )
    assert status == 200 and canceled["state"] == "CANCELED" and canceled["canceledDate"]
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert (campaign.bonus_spent, campaign.vouchers_issued) == (Decimal("0.00"), 0)


@pytest.mark.django_db(transaction=True)  # the worker recycles its database connection
def test_an_unconfirmed_reservation_expires_and_frees_its_budget(
    manual_partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())
    _, voucher = api_client.post(RESERVE, {"value": 110}, bearer=session)
    Voucher.objects.filter(pk=voucher["id"]).update(
        resa_expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert main(["worker", "--once"]) == 0

    status, expired = api_client.get(
        f"/v2/voucher/{voucher['id']}", apikey=manual_partner.issued.apiKey
    )
    assert status == 200 and expired["state"] == "EXPIRED"
    assert Campaign.objects.get(pk="sportmax-launch").bonus_spent == Decimal("0.00")
    status, problem = api_client.put(
        f"/v2/voucher/{voucher['id']}/confirm", apikey=manual_partner.issued.apiKey
    )
    assert status == 409 and problem["code"] == "voucher-state-conflict"


def test_confirming_after_resa_expire_date_expires_instead(
    manual_partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())
    _, voucher = api_client.post(RESERVE, {"value": 30}, bearer=session)
    Voucher.objects.filter(pk=voucher["id"]).update(resa_expire_date=timezone.now())
    status, problem = api_client.put(
        f"/v2/voucher/{voucher['id']}/confirm", apikey=manual_partner.issued.apiKey
    )
    assert status == 409 and problem["code"] == "reservation-expired"
    assert Voucher.objects.get(pk=voucher["id"]).state == "EXPIRED"


def test_reserve_by_price_converts_exactly_the_price(partner, catalog, api_client, build_token):
    session = api_client.session(build_token(amount=100))
    status, voucher = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-price",
        {"price": 100},
        bearer=session,
    )
    assert status == 201
    assert (voucher["initialAmount"], voucher["value"]) == (100, 110)


def test_minoration_and_mixed_offers_reserve(partner, catalog, api_client, build_token):
    session = api_client.session(build_token(amount=100))
    status, voucher = api_client.post(
        "/v2/stores/bookly/offers/bookly-min/reserve-voucher-by-value",
        {"value": 100},
        bearer=session,
    )
    assert status == 201 and (voucher["value"], voucher["price"]) == (100, 90)

    session = api_client.session(build_token(amount=100, notificationKey="second"))
    status, voucher = api_client.post(
        "/v2/stores/mixte/offers/mixte-all.majoration/reserve-voucher-by-value",
        {"value": 50},
        bearer=session,
    )
    assert status == 201 and voucher["offerId"] == "mixte-all.majoration"
    assert (voucher["value"], voucher["price"]) == (50, 47.17)
