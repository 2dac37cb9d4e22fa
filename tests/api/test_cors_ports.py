"""CORS with ports: an authorised entry with a port opens the API to that port only."""

import pytest


def preflight(client, origin):
    return client.options(
        "/v2/token",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://localhost:3000", True),
        ("http://shop.localhost:3000", True),
        ("http://localhost:3001", False),
        ("http://localhost", False),
        ("https://shop.example", True),  # https's default port
        ("https://shop.example:443", True),
        ("http://shop.example", False),  # port 80
        ("https://shop.example:8443", False),
        ("https://www.shop.example", True),
    ],
)
def test_a_preflight_is_answered_only_for_the_port_an_entry_names(
    make_partner, client, origin, allowed
):
    make_partner("dev", domains=["localhost:3000", "shop.example:443"])

    response = preflight(client, origin)

    assert response.status_code == 204
    assert (response.get("Access-Control-Allow-Origin") == origin) is allowed


def test_an_answer_is_shared_only_with_the_credential_partner_s_port(make_partner, client):
    three = make_partner("three", domains=["localhost:3000"])
    make_partner("four", domains=["localhost:4000"])

    mine = client.get(
        "/v2/vouchers", HTTP_APIKEY=three.issued.apiKey, HTTP_ORIGIN="http://localhost:3000"
    )
    theirs = client.get(
        "/v2/vouchers", HTTP_APIKEY=three.issued.apiKey, HTTP_ORIGIN="http://localhost:4000"
    )

    assert mine["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Access-Control-Allow-Origin" not in theirs
