"""The limits as an API client meets them: problem documents with stable codes, Retry-After,
the client address behind trusted proxies, and the reference documenting both codes."""

import json

import pytest

from jackpot.limits.models import AddressUsage
from support.reservations import RESERVE, SHOPPER


def reserve(api_client, build_token, key, remote="203.0.113.7", forwarded=None, **claims):
    bearer = api_client.session(build_token(**{**SHOPPER, "notificationKey": key, **claims}))
    headers = {"authorization": f"Bearer {bearer}"}
    extra = {f"HTTP_{k.upper()}": v for k, v in headers.items()}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return api_client.raw.post(
        RESERVE,
        data=json.dumps({"value": 30}),
        content_type="application/json",
        REMOTE_ADDR=remote,
        **extra,
    )


def test_a_user_limit_answers_a_409_problem_naming_the_limit(api_client, limited, build_token):
    limited(perUserMonth=1)
    assert reserve(api_client, build_token, "k1").status_code == 201
    response = reserve(api_client, build_token, "k2")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/user-limit-reached"
    assert body["code"] == "user-limit-reached"
    assert body["limit"] == "vouchers" and body["window"] == "month" and body["maximum"] == 1
    assert body["resetsAt"].endswith("T00:00:00.000Z")
    assert "month" in body["detail"]


def test_an_address_limit_answers_a_429_with_retry_after(api_client, limited, build_token):
    limited(perAddressHour=1)
    assert reserve(api_client, build_token, "k1", userId="a").status_code == 201
    response = reserve(api_client, build_token, "k2", userId="b")
    assert response.status_code == 429
    assert response.json()["code"] == "address-limit-reached"
    assert 1 <= int(response["Retry-After"]) <= 3601
    assert reserve(api_client, build_token, "k3", remote="198.51.100.9").status_code == 201


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(
    api_client, limited, build_token, settings
):
    settings.JACKPOT_TRUSTED_PROXIES = "10.0.0.0/8"
    limited(perAddressHour=1)
    proxy = "10.0.0.5"
    assert reserve(api_client, build_token, "k1", proxy, "203.0.113.7").status_code == 201
    assert reserve(api_client, build_token, "k2", proxy, "198.51.100.9").status_code == 201
    # A client cannot escape by writing its own X-Forwarded-For left of the proxy's entry.
    forged = "192.0.2.1, 203.0.113.7"
    assert reserve(api_client, build_token, "k3", proxy, forged).status_code == 429
    assert AddressUsage.objects.count() == 2


def test_a_retry_with_the_same_notification_key_is_not_refused(api_client, limited, build_token):
    limited(perUserDay=1)
    assert reserve(api_client, build_token, "k1").status_code == 201
    # The same notificationKey gives the first voucher back (200): not a second reservation.
    again = reserve(api_client, build_token, "k1", customTransactionId="retry")
    assert again.status_code == 200


@pytest.mark.parametrize("route", ["reserve-voucher-by-price", "reserve-voucher-by-value"])
def test_the_reference_documents_both_codes(client, route):
    schema = client.get("/v2/openapi.json").json()
    path = f"/v2/stores/{{store_id}}/offers/{{offer_id}}/{route}"
    operation = schema["paths"][path]["post"]
    assert "user-limit-reached" in operation["responses"]["409"]["description"]
    assert "address-limit-reached" in operation["responses"]["429"]["description"]
