"""The API's prefix, asked two ways: its edge covers the docs pages, the pages' middleware not."""

import pytest

from jackpot.core.paths import api_path, is_api_call, under_api
from jackpot.vouchers import links


@pytest.mark.parametrize(
    ("path", "edge", "call"),
    [
        ("/v2/stores", True, True),
        ("/v2/token", True, True),
        ("/v2/openapi.json", True, True),
        ("/v2/docs", True, False),
        ("/v2/redoc", True, False),
        ("/v2", False, False),
        ("/v20/stores", False, False),
        ("/portal/login/", False, False),
        ("/", False, False),
    ],
)
def test_the_edge_covers_the_docs_pages_and_the_pages_middleware_does_not(path, edge, call):
    assert under_api(path) is edge
    assert is_api_call(path) is call


def test_a_route_is_written_under_the_prefix_once():
    assert api_path("token") == api_path("/token") == "/v2/token"


def test_a_pdf_link_points_under_the_api(settings):
    link = links.path("5f0c6a8e-0000-4000-8000-000000000001", sig="n:t:s")
    assert link == "/v2/voucher/5f0c6a8e-0000-4000-8000-000000000001/pdf?sig=n%3At%3As"
    assert is_api_call(link)
