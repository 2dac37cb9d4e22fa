"""The limits under simultaneous reservations on PostgreSQL, as the budget is proven: each
thread reserves over HTTP on its own connection, and the database decides who passes."""

from decimal import Decimal

import httpx
import pytest

from jackpot.limits.models import AddressUsage, LimitRefusal, UserUsage
from jackpot.vouchers.models import Voucher
from support.concurrency import simultaneously
from support.reservations import RESERVE, SHOPPER

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12


def sessions(base, build_token, count, prefix="limit", **claims):
    tokens = [
        build_token(**{**SHOPPER, "notificationKey": f"{prefix}-{i}", **claims})
        for i in range(count)
    ]
    return [
        httpx.post(
            f"{base}/v2/token", json={"client_id": "acme", "assertion": token}, timeout=30
        ).json()["access_token"]
        for token in tokens
    ]


def race(base, bearers, value=30):
    return simultaneously(
        len(bearers),
        lambda i: httpx.post(
            f"{base}{RESERVE}",
            json={"value": value},
            headers={"Authorization": f"Bearer {bearers[i]}"},
            timeout=60,
        ),
    )


def outcome(responses):
    created = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    return created, refused


@pytest.mark.parametrize(
    ("limit", "kind"), [({"perUserDay": 3}, "user-day"), ({"perUserMonth": 3}, "user-month")]
)
def test_k_vouchers_a_user_may_have_give_exactly_k_of_n_simultaneous(
    live_server, limited, build_token, limit, kind
):
    limited(**limit)
    bearers = sessions(live_server.url, build_token, THREADS)
    created, refused = outcome(race(live_server.url, bearers))
    assert len(created) == 3
    assert {(r.status_code, r.json()["code"]) for r in refused} == {(409, "user-limit-reached")}
    assert Voucher.objects.count() == 3
    assert UserUsage.objects.get(period=kind.split("-")[1]).vouchers == 3
    assert LimitRefusal.objects.get().refusals == THREADS - 3
    assert LimitRefusal.objects.get().kind == kind


def test_the_amount_a_user_may_convert_is_never_exceeded_under_simultaneous_reservations(
    live_server, limited, build_token
):
    limited(amountPerUserMonth="100.00")  # three 28.57 € vouchers fit, not four
    bearers = sessions(live_server.url, build_token, THREADS)
    created, refused = outcome(race(live_server.url, bearers))
    assert len(created) == 3
    assert {r.json()["limit"] for r in refused} == {"amount"}
    assert sum(Voucher.objects.values_list("price", flat=True)) == Decimal("85.71")
    assert UserUsage.objects.get(period="month").amount_cents == 8571


def test_reservations_per_address_per_hour_hold_under_simultaneous_reservations(
    live_server, limited, build_token
):
    limited(perAddressHour=4)
    tokens = [
        build_token(**{**SHOPPER, "notificationKey": f"addr-{i}", "userId": f"user-{i}"})
        for i in range(THREADS)
    ]
    bearers = [
        httpx.post(
            f"{live_server.url}/v2/token", json={"client_id": "acme", "assertion": t}, timeout=30
        ).json()["access_token"]
        for t in tokens
    ]
    created, refused = outcome(race(live_server.url, bearers))
    assert len(created) == 4
    assert {(r.status_code, r.json()["code"]) for r in refused} == {(429, "address-limit-reached")}
    assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)
    assert AddressUsage.objects.get().reservations == 4
    assert Voucher.objects.count() == 4


def test_cancellations_and_reservations_of_one_user_at_once_stay_consistent(
    live_server, limited, build_token
):
    """Cancels give places back while reservations take them, on the same user's rows and the
    same campaign's: no deadlock (no 5xx), never over the limit, counters equal to vouchers."""
    partner = limited(perUserDay=3)
    partner.confirmation_mode = "manual"
    partner.save()
    held = [
        r.json()["id"] for r in race(live_server.url, sessions(live_server.url, build_token, 3))
    ]
    bearers = sessions(live_server.url, build_token, 6, prefix="again")

    def work(i):
        if i < 3:
            return httpx.put(
                f"{live_server.url}/v2/voucher/{held[i]}/cancel",
                headers={"apikey": partner.issued.apiKey},
                timeout=60,
            )
        return httpx.post(
            f"{live_server.url}{RESERVE}",
            json={"value": 30},
            headers={"Authorization": f"Bearer {bearers[i - 3]}"},
            timeout=60,
        )

    responses = simultaneously(9, work)
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    assert [r.status_code for r in responses[:3]] == [200] * 3  # every cancel went through
    assert {r.status_code for r in responses[3:]} <= {201, 409}
    active = Voucher.objects.exclude(state__in=["CANCELED", "EXPIRED"]).count()
    assert active <= 3
    assert UserUsage.objects.get(period="day").vouchers == active
    assert UserUsage.objects.get(period="month").vouchers == active
