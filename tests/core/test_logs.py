"""The logs keep no userId: neither the JSON lines nor the plain ones, whatever logged it (our
request line, Django's warning for a 4xx answer with the request attached)."""

import json
import logging

import pytest

from jackpot.core.logs import JsonFormatter, PlainFormatter
from jackpot.core.redaction import log_text, without_values

SECRET_USER = "jeanne-dupont-1987"


def formatted(caplog, formatter):
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.mark.parametrize(
    "text",
    [
        f"Not Found: /v2/users/{SECRET_USER}/personal-data",
        f"Unauthorized: /v2/users/{SECRET_USER}/erase",
        f"Bad Request: /v2/users/team/{SECRET_USER}/erase",
        f"<WSGIRequest: GET '/v2/vouchers?state=SENT&userId={SECRET_USER}'>",
        f"<WSGIRequest: GET '/portal/personal-data/?userId={SECRET_USER}'>",
        f"<WSGIRequest: GET '/portal/coupons/?q={SECRET_USER}&state='>",
        f"GET /v2/users/{SECRET_USER}",
        f"mail of voucher 1 failed: {{'{SECRET_USER}@example.com': (550, b'no such user')}}",
    ],
)
def test_user_ids_in_urls_are_redacted(text):
    redacted = log_text(text)
    assert SECRET_USER not in redacted
    assert "[redacted]" in redacted


def test_the_rest_of_a_line_is_kept():
    # The request line's route is the URL pattern, which names no user: kept as it is.
    route = "GET v2/users/<path:userId>/erase 200"
    assert log_text(route) == route
    assert log_text("pruned 3 old row(s): 3 sessions") == "pruned 3 old row(s): 3 sessions"
    assert log_text("/v2/vouchers?state=SENT&limit=5") == "/v2/vouchers?state=SENT&limit=5"


def test_erased_values_go_where_they_stand_as_a_word():
    assert without_values("user 42 asked, order 1422", ["42"]) == "user [erased] asked, order 1422"
    assert without_values("", ["42"]) == ""
    assert without_values("nothing", [""]) == "nothing"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["personal-data", "erase"])
def test_django_s_4xx_warning_for_a_user_route_keeps_no_user_id(client, caplog, settings, path):
    settings.JACKPOT_LOG_FORMAT = "json"
    caplog.set_level(logging.INFO)
    method = client.get if path == "personal-data" else client.post
    response = method(f"/v2/users/{SECRET_USER}/{path}?userId={SECRET_USER}")
    assert response.status_code == 401
    assert caplog.records, "Django logs a warning for a 4xx answer"
    for formatter in (JsonFormatter(), PlainFormatter("%(levelname)s %(name)s %(message)s")):
        text = formatted(caplog, formatter)
        assert SECRET_USER not in text, text
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    assert any(line.get("status_code") == 401 for line in lines)
