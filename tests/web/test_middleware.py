"""API calls pass over the pages' middleware; pages and the API's documentation keep all of it."""

import pytest

from jackpot.core.paths import is_api_call

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/v2/stores", True),
        ("/v2/token", True),
        ("/v2/openapi.json", True),
        ("/v2/docs", False),
        ("/v2/redoc", False),
        ("/portal/login/", False),
        ("/admin/", False),
        ("/", False),
    ],
)
def test_which_paths_are_api_calls(path, api):
    assert is_api_call(path) is api


def test_an_api_call_gets_no_session_language_or_frame_headers(client, partner):
    client.cookies["sessionid"] = "whatever"  # a browser's cookie reaching the API
    response = client.get("/v2/stores", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert "X-Frame-Options" not in response
    assert "Content-Language" not in response
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies  # no session or CSRF cookie set
    # Security headers, the API's own edge and Content-Length still apply.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(response.content))


def test_a_page_keeps_language_csrf_and_frame_protection(client):
    response = client.get("/portal/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert response["X-Frame-Options"] == "DENY"
    assert "csrftoken" in response.cookies


def test_the_api_documentation_is_a_page(client):
    response = client.get("/v2/docs")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"


def test_a_forged_post_to_a_page_is_still_refused(client):
    client.handler.enforce_csrf_checks = True
    response = client.post("/portal/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
