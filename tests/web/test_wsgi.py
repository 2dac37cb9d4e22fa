"""The WSGI entry point hands finished answers over whole, closed; streamed ones as they are."""

import importlib
import io
import sys

import pytest
from django.core.signals import request_finished

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(settings):
    settings.SECRET_KEY = "a-production-secret-" + "x" * 40  # the module refuses the dev key
    sys.modules.pop("jackpot.wsgi", None)
    return importlib.import_module("jackpot.wsgi").application


def call(application, path):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    started = []
    body = application(environ, lambda status, headers, exc_info=None: started.append(status))
    return started[0], body


def test_a_finished_answer_is_one_body_and_the_request_is_already_over(application):
    finished = []

    def heard(**kwargs):
        finished.append(True)

    request_finished.connect(heard)
    try:
        status, body = call(application, "/v2/openapi.json")
    finally:
        request_finished.disconnect(heard)
    assert status.startswith("200")
    assert isinstance(body, list) and len(body) == 1
    assert body[0].startswith(b"{") and b'"openapi"' in body[0]
    assert finished == [True]  # closed by the entry point, before the server sends it


def test_a_streamed_answer_is_left_to_the_server(application):
    status, body = call(application, "/static/scripts/widget-jackpot.js")
    assert status.startswith("200")
    assert not isinstance(body, list)
    try:
        assert b"".join(body)
    finally:
        body.close()
