"""The pages a newcomer opens first work offline: nothing is loaded from a CDN."""

import pytest


@pytest.mark.parametrize("url", ["/", "/v2/docs", "/v2/redoc", "/v2/openapi.json"])
def test_documentation_pages_are_served_by_the_platform_itself(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for outside in ("cdn.", "unpkg.com", "jsdelivr", "googleapis"):
        assert outside not in body


def test_swagger_ui_assets_come_from_the_package(client, db):
    response = client.get("/static/ninja/swagger-ui-bundle.js")
    assert response.status_code == 200


def test_the_openapi_schema_lists_the_partner_routes(client, db):
    paths = client.get("/v2/openapi.json").json()["paths"]
    for route in [
        "/v2/token",
        "/v2/stores",
        "/v2/stores/proposed-vouchers",
        "/v2/stores/{store_id}/proposed-vouchers",
        "/v2/stores/{store_id}/offers/{offer_id}",
        "/v2/stores/{store_id}/offers/{offer_id}/reserve-voucher-by-price",
        "/v2/stores/{store_id}/offers/{offer_id}/reserve-voucher-by-value",
        "/v2/voucher/{voucher_id}",
        "/v2/voucher/{voucher_id}/confirm",
        "/v2/voucher/{voucher_id}/cancel",
    ]:
        assert route in paths, route
