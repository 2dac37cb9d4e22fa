"""Test vouchers under real concurrent requests (PostgreSQL): live and test reservations racing
for a campaign whose budget funds n vouchers give exactly n live vouchers and take nothing for
the test ones, whatever the order the database picks."""

from decimal import Decimal

import httpx
import pytest

from jackpot.catalog.models import Campaign
from jackpot.vouchers.models import Voucher
from support.concurrency import simultaneously
from support.tokens import partner_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"
SHOPPER = {"amount": 50, "cp": "75011", "age": 35}


def test_concurrent_test_reservations_take_nothing_from_a_budget_live_ones_exhaust(
    live_server, partner, catalog
):
    # 10 € vouchers at +5 % carry a 0.48 € bonus: 1.44 € funds exactly 3.
    n = 3
    Campaign.objects.filter(pk="sportmax-launch").update(budget=Decimal("0.48") * n)
    signatures = [partner.issued.apiSignature] * (3 * n) + [partner.issued.test["apiSignature"]] * (
        3 * n
    )
    sessions = []
    for i, signature in enumerate(signatures):
        token = partner_token(signature, notificationKey=f"race-{i}", **SHOPPER)
        answer = httpx.post(
            f"{live_server.url}/v2/token",
            json={"client_id": "acme", "assertion": token},
            timeout=30,
        ).json()
        sessions.append(answer["access_token"])

    def reserve(i):
        return httpx.post(
            f"{live_server.url}{RESERVE}",
            json={"value": 10},
            timeout=30,
            headers={"Authorization": f"Bearer {sessions[i]}"},
        )

    responses = simultaneously(len(sessions), reserve)
    made = [r.json() for r in responses if r.status_code == 201]
    assert {r.status_code for r in responses} <= {201, 409}
    live = [v for v in made if v["livemode"]]
    assert len(live) == n
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.vouchers_issued == n and campaign.bonus_spent == Decimal("0.48") * n
    assert Voucher.objects.filter(partner_id="acme").count() == n
    assert Voucher.objects.filter(partner_id="acme~test").count() == len(made) - n
