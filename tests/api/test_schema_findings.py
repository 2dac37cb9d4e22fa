"""What schemathesis found over the public API (SPEC §9), each a deterministic test of its own:
problem media types and edge statuses documented, NUL characters, out-of-range dates and UTC
offsets, lone surrogates in token claims: answered, never a server error.
"""

import json
from urllib.parse import quote

import pytest

from support.fuzz import schema

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _documented_statuses(path: str, method: str) -> set[str]:
    return set(schema.raw_schema["paths"][path][method]["responses"])


def test_error_responses_document_the_problem_media_type(client, db):
    response = client.get("/v2/vouchers")  # no apikey: a 401 problem
    assert response.status_code == 401
    served = response["Content-Type"].split(";")[0]
    assert served == "application/problem+json"
    undocumented = [
        f"{method.upper()} {path} → {status}: {sorted(answer.get('content', {}))}"
        for path, item in schema.raw_schema["paths"].items()
        for method, operation in item.items()
        for status, answer in operation["responses"].items()
        if int(status) >= 400 and served not in answer.get("content", {served: None})
    ]
    assert not undocumented, "\n".join(undocumented)


def _unparseable_body(client, partner, settings):
    # curl -X POST -H 'Content-Type: application/json' -d $'\x00' $BASE/v2/token
    return (
        "/v2/token",
        "post",
        client.post("/v2/token", data="\x00", content_type="application/json"),
    )


def _body_over_the_limit(client, partner, settings):
    # Two 8192-character strings, as the schema allows, of a character JSON writes as \u0001:
    # a schema-valid body of 98 KiB, over the 64 KiB limit.
    body = json.dumps({"client_id": "acme", "assertion": "\x01" * 8192, "token": "\x01" * 8192})
    return "/v2/token", "post", client.post("/v2/token", data=body, content_type="application/json")


def _over_the_rate_limit(client, partner, settings):
    settings.JACKPOT_RATE_LIMIT = 1
    for _ in range(2):
        response = client.get("/v2/vouchers", HTTP_APIKEY=partner.issued.apiKey)
    return "/v2/vouchers", "get", response


EDGE_STATUSES = {
    400: ("invalid-characters", _unparseable_body),
    413: ("payload-too-large", _body_over_the_limit),
    429: ("rate-limited", _over_the_rate_limit),
}


@pytest.mark.parametrize("status", list(EDGE_STATUSES))
def test_edge_statuses_are_documented(status, client, partner, settings):
    code, make = EDGE_STATUSES[status]
    path, method, response = make(client, partner, settings)
    assert response.status_code == status and response.json()["code"] == code
    assert str(status) in _documented_statuses(path, method)


def _nul_requests(world):
    """Requests carrying a NUL character to a column: each answers 500 on PostgreSQL."""
    session = f"Bearer {world.session().credential}"
    reserved = world.vouchers["RESERVED"][0].pk
    post_json = {"content_type": "application/json"}
    return {
        "list by notificationKey": ("get", "/v2/vouchers?notificationKey=%00", {}, "apikey"),
        "list by userId": ("get", "/v2/vouchers?userId=a%00b", {}, "apikey"),
        "list by storeId": ("get", "/v2/vouchers?storeId=%00", {}, "apikey"),
        "store vouchers": ("get", "/v2/stores/%00/proposed-vouchers", {}, session),
        "offer": ("get", "/v2/stores/a%00/offers/b%00", {}, session),
        "reserve, offer id": (
            "post",
            "/v2/stores/sportmax/offers/%00/reserve-voucher-by-value",
            {"data": '{"value": 30}', **post_json},
            session,
        ),
        "reserve, customTransactionId": (
            "post",
            "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
            {"data": json.dumps({"value": 30, "customTransactionId": "c\x00"}), **post_json},
            session,
        ),
        "cancel reason": (
            "put",
            f"/v2/voucher/{reserved}/cancel",
            {"data": json.dumps({"reason": "r\x00"}), **post_json},
            "apikey",
        ),
        "token client_id": (
            "post",
            "/v2/token",
            {"data": json.dumps({"client_id": "a\x00", "assertion": world.token()}), **post_json},
            None,
        ),
        "client_credentials client_id": (
            "post",
            "/v2/token",
            {
                "data": json.dumps(
                    {"grant_type": "client_credentials", "client_id": "\x00", "client_secret": "x"}
                ),
                **post_json,
            },
            None,
        ),
        "token iss claim": (
            "post",
            "/v2/token",
            {"data": json.dumps({"assertion": world.token(iss="a\x00")}), **post_json},
            None,
        ),
        "token userId claim": (
            "post",
            "/v2/token",
            {
                "data": json.dumps({"client_id": "acme", "assertion": world.token(userId="u\x00")}),
                **post_json,
            },
            None,
        ),
        "token jti claim": (
            "post",
            "/v2/token",
            {
                "data": json.dumps({"client_id": "acme", "assertion": world.token(jti="j\x00")}),
                **post_json,
            },
            None,
        ),
    }


NUL_CASES = [
    "list by notificationKey",
    "list by userId",
    "list by storeId",
    "store vouchers",
    "offer",
    "reserve, offer id",
    "reserve, customTransactionId",
    "cancel reason",
    "token client_id",
    "client_credentials client_id",
    "token iss claim",
    "token userId claim",
    "token jti claim",
]


@pytest.mark.parametrize("name", NUL_CASES)
def test_nul_characters_are_answered_without_a_server_error(name, world, client):
    method, url, kwargs, credential = _nul_requests(world)[name]
    if credential == "apikey":
        kwargs["HTTP_APIKEY"] = world.apikey
    elif credential:
        kwargs["HTTP_AUTHORIZATION"] = credential
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


# Dates whose conversion to UTC leaves datetime's range: refused as invalid on every database
# (they were a 500 on SQLite, an OverflowError).
DATES_BEYOND_RANGE = [
    "reservedFrom=9999-12-31T23:59:59-01:00",
    "reservedTo=0001-01-01T00:00:00%2B01:00",
]


# UTC offsets beyond PostgreSQL's ±15:59 (found by schemathesis; they were a 500 there): the
# filter is converted to UTC before the database sees it, so they are ordinary dates.
OFFSETS_BEYOND_POSTGRESQL = [
    "reservedFrom=2026-01-01T00:00:00-17:07",
    "reservedTo=" + quote("0153-11-11T22:26:49.3+22:36"),
]


@pytest.mark.parametrize("query", DATES_BEYOND_RANGE)
def test_voucher_list_date_filters_out_of_range_are_422(query, partner, client):
    response = client.get(f"/v2/vouchers?{query}", HTTP_APIKEY=partner.issued.apiKey)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


@pytest.mark.parametrize("query", OFFSETS_BEYOND_POSTGRESQL)
def test_voucher_list_date_filters_with_any_utc_offset_are_answered(query, partner, client):
    response = client.get(f"/v2/vouchers?{query}", HTTP_APIKEY=partner.issued.apiKey)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


def test_a_token_claim_with_a_lone_surrogate_is_a_malformed_token(world, client):
    token = world.token(userId="\ud800")  # PyJWT writes it as the JSON escape "\ud800"
    response = client.post(
        "/v2/token",
        data=json.dumps({"client_id": "acme", "assertion": token}),
        content_type="application/json",
    )
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "malformed-token"
