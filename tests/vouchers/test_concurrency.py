"""Guarantees under real concurrent requests (PostgreSQL: real row locks, one connection each).

Each test fires simultaneous HTTP requests at a live server; its threads hold their own database
connections, so the database, not the test, decides who wins.
"""

from decimal import Decimal

import httpx
import pytest

from jackpot.catalog.models import Campaign
from jackpot.tokens.models import Session, TokenBurn
from jackpot.vouchers.models import Voucher
from support.concurrency import simultaneously
from support.reservations import reserve_over_http

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def exchange(base: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{base}/v2/token", json={"client_id": "acme", "assertion": token}, timeout=30
    )


def test_twenty_simultaneous_exchanges_of_one_token_open_exactly_one_session(
    live_server, partner, catalog, build_token
):
    token = build_token()
    responses = simultaneously(20, lambda _: exchange(live_server.url, token))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 19
    assert all(r.json()["code"] == "token-already-used" for r in responses if r.status_code == 409)
    assert Session.objects.count() == 1
    assert TokenBurn.objects.count() == 1


def test_a_budget_for_n_vouchers_gives_exactly_n_under_5n_simultaneous_reservations(
    live_server, partner, catalog, build_token
):
    # 10 € vouchers at +5 % cost 9.52 and carry a 0.48 € bonus: 2.40 € funds exactly 5.
    n = 5
    Campaign.objects.filter(pk="sportmax-launch").update(budget=Decimal("0.48") * n)
    sessions = [
        exchange(live_server.url, build_token(notificationKey=f"race-{i}")).json()["access_token"]
        for i in range(5 * n)
    ]
    url = f"{live_server.url}/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"

    def reserve(i):
        return httpx.post(
            url, json={"value": 10}, timeout=30, headers={"Authorization": f"Bearer {sessions[i]}"}
        )

    responses = simultaneously(5 * n, reserve)
    created = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert len(created) == n
    assert {r.status_code for r in refused} <= {409}
    assert {r.json()["code"] for r in refused} <= {"offer-exhausted", "offer-not-found"}
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.budget - campaign.bonus_spent == Decimal("0.00")
    assert campaign.vouchers_issued == n
    assert Voucher.objects.count() == n


def test_a_voucher_cap_is_never_exceeded_under_simultaneous_reservations(
    live_server, partner, catalog, build_token
):
    Campaign.objects.filter(pk="sportmax-launch").update(budget=None, max_vouchers=3)
    sessions = [
        exchange(live_server.url, build_token(notificationKey=f"cap-{i}")).json()["access_token"]
        for i in range(12)
    ]
    url = f"{live_server.url}/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"
    responses = simultaneously(
        12,
        lambda i: httpx.post(
            url, json={"value": 20}, timeout=30, headers={"Authorization": f"Bearer {sessions[i]}"}
        ),
    )
    assert sum(r.status_code == 201 for r in responses) == 3
    assert Voucher.objects.count() == 3


def test_the_same_notification_key_reserved_simultaneously_gives_one_voucher(
    live_server, partner, catalog, build_token
):
    # Eight distinct tokens (other userId) carrying the partner's one transaction id.
    sessions = [
        exchange(live_server.url, build_token(notificationKey="order-42", userId=f"u-{i}")).json()[
            "access_token"
        ]
        for i in range(8)
    ]
    url = f"{live_server.url}/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"
    responses = simultaneously(
        8,
        lambda i: httpx.post(
            url, json={"value": 50}, timeout=30, headers={"Authorization": f"Bearer {sessions[i]}"}
        ),
    )
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Voucher.objects.filter(notification_key="order-42").count() == 1
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.vouchers_issued == 1  # the losers' budget claims were rolled back


def test_simultaneous_confirm_and_cancel_of_one_voucher_apply_exactly_one(
    live_server, make_partner, catalog, build_token
):
    manual = make_partner("acme", confirmation_mode="manual")
    voucher = reserve_over_http(live_server.url, build_token())
    assert voucher["state"] == "RESERVED"
    actions = ["confirm", "cancel"] * 5

    def act(i):
        return httpx.put(
            f"{live_server.url}/v2/voucher/{voucher['id']}/{actions[i]}",
            headers={"apikey": manual.issued.apiKey},
            timeout=30,
        )

    responses = simultaneously(len(actions), act)
    assert sorted(r.status_code for r in responses) == [200] + [409] * 9
    final = Voucher.objects.get(pk=voucher["id"])
    assert final.events.count() == 2  # reserved, then exactly one of confirmed / canceled
