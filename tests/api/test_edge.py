"""The API's edge: problem documents for every error, rate limits, CORS."""

import pytest

PROBLEM = "application/problem+json"


def test_an_unknown_api_path_is_a_404_problem(client, db):
    response = client.get("/v2/no-such-route")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not-found"


def test_a_wrong_method_is_a_405_problem(client, db):
    response = client.delete("/v2/stores")
    assert response.status_code == 405 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "method-not-allowed"


def test_a_body_over_the_limit_is_a_413_problem(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/v2/token", data="x" * 2000, content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "payload-too-large"


def test_malformed_json_is_a_problem_not_a_500(client, db):
    response = client.post("/v2/token", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500 and response["Content-Type"] == PROBLEM


def test_a_crash_is_a_500_problem(client, db, monkeypatch):
    from jackpot.tokens import sessions

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(sessions, "exchange", broken)
    client.raise_request_exception = False
    response = client.post(
        "/v2/token", data='{"assertion": "a.b.c"}', content_type="application/json"
    )
    assert response.status_code == 500 and response["Content-Type"] == PROBLEM
    assert "fire" not in response.content.decode()  # no internals leak


def test_too_many_requests_get_429_with_retry_after(partner, client, settings):
    settings.JACKPOT_RATE_LIMIT = 3
    statuses = [
        client.get("/v2/vouchers", HTTP_APIKEY=partner.issued.apiKey).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/v2/vouchers", HTTP_APIKEY=partner.issued.apiKey)
    assert response["Content-Type"] == PROBLEM and response.json()["code"] == "rate-limited"
    assert 1 <= int(response["Retry-After"]) <= 61
    # another credential has its own budget
    assert client.get("/v2/vouchers", HTTP_APIKEY="jpk_other").status_code == 401


def test_anonymous_calls_are_limited_per_address(db, client, settings):
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 2
    codes = [
        client.post("/v2/token", data="{}", content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes[-1] == 429


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://acme.example", True),
        ("https://shop.acme.example", True),
        ("https://evilacme.example", False),
        ("https://acme.example.evil.example", False),
    ],
)
def test_cors_preflight_only_for_authorised_domains(partner, client, origin, allowed):
    response = client.options(
        "/v2/token",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 204
    assert (response.get("Access-Control-Allow-Origin") == origin) is allowed
    if allowed:
        assert "POST" in response["Access-Control-Allow-Methods"]
        assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_cors_answers_are_shared_only_with_the_credentials_partner(partner, make_partner, client):
    make_partner("beta", domains=["beta.example"])
    mine = client.get(
        "/v2/vouchers", HTTP_APIKEY=partner.issued.apiKey, HTTP_ORIGIN="https://acme.example"
    )
    assert mine["Access-Control-Allow-Origin"] == "https://acme.example"
    theirs = client.get(
        "/v2/vouchers", HTTP_APIKEY=partner.issued.apiKey, HTTP_ORIGIN="https://beta.example"
    )
    assert "Access-Control-Allow-Origin" not in theirs
