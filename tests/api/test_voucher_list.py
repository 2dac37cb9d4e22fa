"""GET /v2/vouchers: filters, and a cursor that walks every voucher exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.vouchers.models import Voucher

RESERVE = "/v2/stores/{store}/offers/{offer}/reserve-voucher-by-value"


@pytest.fixture
def vouchers(make_partner, catalog, api_client, build_token):
    acme = make_partner("acme", confirmation_mode="manual")
    made = []
    for i in range(7):
        session = api_client.session(build_token(notificationKey=f"k{i}", userId=f"user-{i % 2}"))
        store, offer = ("sportmax", "sportmax-launch") if i % 3 else ("bookly", "bookly-min")
        status, voucher = api_client.post(
            RESERVE.format(store=store, offer=offer), {"value": 10 + 10 * (i % 2)}, bearer=session
        )
        assert status == 201, voucher
        made.append(voucher)
    # Two vouchers share one reservation instant: the id must break the tie.
    same = timezone.now() - timedelta(hours=1)
    Voucher.objects.filter(notification_key__in=["k1", "k2"]).update(reservation_date=same)
    api_client.put(f"/v2/voucher/{made[0]['id']}/confirm", apikey=acme.issued.apiKey)
    return acme, made


def test_a_cursor_walks_every_voucher_once_newest_first(vouchers, api_client):
    acme, made = vouchers
    seen, cursor = [], None
    while True:
        query = "/v2/vouchers?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = api_client.get(query, apikey=acme.issued.apiKey)
        assert status == 200
        seen += page["items"]
        cursor = page["nextCursor"]
        assert page["hasMore"] is (cursor is not None)
        if cursor is None:
            break
    assert sorted(v["id"] for v in seen) == sorted(v["id"] for v in made)
    keys = [(v["reservationDate"], v["id"]) for v in seen]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("state=CONFIRMED", {"k0"}),
        ("state=RESERVED,CONFIRMED", {f"k{i}" for i in range(7)}),
        ("paymentState=DUE", {"k0"}),
        ("notificationKey=k3", {"k3"}),
        ("userId=user-1", {"k1", "k3", "k5"}),
        ("storeId=bookly", {"k0", "k3", "k6"}),
    ],
)
def test_filters(vouchers, api_client, query, expected):
    acme, _ = vouchers
    status, page = api_client.get(f"/v2/vouchers?{query}&limit=100", apikey=acme.issued.apiKey)
    assert status == 200
    assert {v["notificationKey"] for v in page["items"]} == expected


def test_date_filters(vouchers, api_client):
    acme, _ = vouchers
    since = (timezone.now() - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    status, page = api_client.get(f"/v2/vouchers?reservedFrom={since}", apikey=acme.issued.apiKey)
    assert status == 200
    assert {v["notificationKey"] for v in page["items"]} == {"k0", "k3", "k4", "k5", "k6"}
    status, page = api_client.get(f"/v2/vouchers?reservedTo={since}", apikey=acme.issued.apiKey)
    assert {v["notificationKey"] for v in page["items"]} == {"k1", "k2"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("state=LOST", "state"),
        ("paymentState=LATE", "paymentState"),
        ("cursor=nonsense", "cursor"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
    ],
)
def test_bad_filters_are_422_naming_the_field(vouchers, api_client, query, field):
    acme, _ = vouchers
    status, problem = api_client.get(f"/v2/vouchers?{query}", apikey=acme.issued.apiKey)
    assert status == 422 and problem["errors"][0]["field"] == field
