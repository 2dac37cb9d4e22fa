"""Fixtures for the partner-token specs: the clock, and `POST /v2/token` over HTTP."""

import json
import time

import pytest
from django.test import Client


@pytest.fixture
def now() -> int:
    """The current time in whole seconds, as the seed's samples write `iat`."""
    return int(time.time())


@pytest.fixture
def acme_signature(partner) -> str:
    """The apiSignature of the `acme` partner (support.tokens.SIGNATURE)."""
    return partner.issued.apiSignature


@pytest.fixture
def http(db) -> Client:
    return Client()


@pytest.fixture
def post_token(http):
    """POST /v2/token as a partner backend or the widget would; returns the response."""

    def post(token, client_id="acme", origin=None, field="assertion", **extra_body):
        body = {field: token, **extra_body}
        if client_id is not None:
            body["client_id"] = client_id
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        return http.post(
            "/v2/token", data=json.dumps(body), content_type="application/json", **headers
        )

    return post


def problem_of(response) -> dict:
    """The RFC 9457 body of a refusal, checking it is one."""
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    body = response.json()
    assert body["status"] == response.status_code
    return body


@pytest.fixture
def refused():
    """Assert a response is the problem `code` with HTTP `status`; return the problem body."""

    def check(response, code: str, status: int) -> dict:
        assert response.status_code == status, response.content
        body = problem_of(response)
        assert body["code"] == code, body
        return body

    return check


@pytest.fixture
def build_token(build_token, partner):
    """tests/conftest.py's PyJWT builder, with the `acme` partner it signs for in the database."""
    return build_token
