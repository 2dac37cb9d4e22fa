"""What a request answers when the database cannot be reached: a 503, never a 500; bugs stay 500s.

Failures are raised where a real outage raises them: inside a route (the reservation's
transaction, after it wrote), in the API's authentication, in the middleware chain before any
route (the Idempotency-Key claim, the rate-limit counter, a CORS preflight) and in the
backoffice pages. Each error is built as Django builds it, its own class raised from the
driver's: psycopg's errors (a connection refused or cut has no SQLSTATE; a server shutting down
sends 57P01…) and real sqlite3 errors.
"""

import logging
import uuid
from decimal import Decimal

import pytest

from jackpot.api import cors, idempotency
from jackpot.api.failures import RETRY_AFTER
from jackpot.api.models import IdempotencyRecord
from jackpot.catalog.models import Campaign
from jackpot.core import shared_cache
from jackpot.core.outages import is_database_outage
from jackpot.tokens import sessions
from jackpot.tokens.models import Session
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher
from jackpot.webhooks.models import OutboxEvent
from support.outages import BUGS, OUTAGES, PROBLEM, RESERVE, assert_unavailable, raising, reserve


def assert_nothing_reserved(session_id):
    assert not Voucher.objects.exists()
    assert not OutboxEvent.objects.filter(event__startswith="coupon/").exists()
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert (campaign.vouchers_issued, campaign.bonus_spent) == (0, Decimal("0.00"))
    assert Session.objects.get(pk=session_id).closed_at is None


def session_id():
    return Session.objects.get().pk


@pytest.mark.parametrize("kind", list(OUTAGES))
def test_connectivity_failures_are_outages(kind, tmp_path):
    assert is_database_outage(OUTAGES[kind](tmp_path))


@pytest.mark.parametrize("kind", list(BUGS))
def test_other_errors_are_bugs(kind, tmp_path):
    assert not is_database_outage(BUGS[kind](tmp_path))


def test_an_outage_inside_a_route_answers_503_and_what_it_wrote_is_rolled_back(
    bearer, client, monkeypatch, outage
):
    key = str(uuid.uuid4())
    # The reservation has taken its budget, saved the voucher and closed the session by now.
    monkeypatch.setattr(lifecycle, "record", raising(outage))

    response = reserve(client, bearer, **{"Idempotency-Key": key})

    assert_unavailable(response)
    assert response.json()["instance"] == RESERVE
    assert_nothing_reserved(session_id())
    assert not IdempotencyRecord.objects.exists()  # a 503 is not kept for replays

    monkeypatch.undo()  # the database is back: the same request, same key, now runs
    again = reserve(client, bearer, **{"Idempotency-Key": key})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Voucher.objects.get().state == "CONFIRMED"


def test_an_outage_while_authenticating_answers_503_not_401(bearer, client, monkeypatch, outage):
    monkeypatch.setattr(sessions, "session_for_credential", raising(outage))
    # The credential is first verified at the edge (rate limits count verified ones only):
    # the outage meets the middleware chain, where Django answers through handler500.
    client.raise_request_exception = False
    response = client.get("/v2/stores", HTTP_AUTHORIZATION=f"Bearer {bearer}")
    assert_unavailable(response)


@pytest.mark.parametrize("kind", ["undefined table", "deadlock", "sqlite missing table"])
def test_a_bug_inside_a_route_is_still_a_500(kind, bearer, client, monkeypatch, tmp_path):
    monkeypatch.setattr(lifecycle, "record", raising(BUGS[kind](tmp_path)))
    response = reserve(client, bearer)
    assert response.status_code == 500 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "internal-error"
    assert "Retry-After" not in response
    assert_nothing_reserved(session_id())


class BrokenCache:
    def __init__(self, error):
        self.error = error

    def add(self, *args, **kwargs):
        raise self.error

    incr = set = get = add


def break_idempotency_claim(monkeypatch, error):
    monkeypatch.setattr(idempotency, "_claim", raising(error))


def break_rate_limit_counter(monkeypatch, error):
    # The counters live in Django's cache; a database-backed cache raises the database's errors
    # (an unreachable Redis fails open instead: tests/core/test_shared_cache.py).
    monkeypatch.setattr(shared_cache, "cache", BrokenCache(error))


def break_credential_check(monkeypatch, error):
    # The edge verifies the credential before it counts or keeps anything for it.
    monkeypatch.setattr(sessions, "session_for_credential", raising(error))


MIDDLEWARES = {
    "idempotency claim": break_idempotency_claim,
    "rate-limit counter": break_rate_limit_counter,
    "credential check at the edge": break_credential_check,
}


@pytest.mark.parametrize("where", list(MIDDLEWARES))
def test_an_outage_in_a_middleware_answers_503_and_nothing_runs(
    where, bearer, client, monkeypatch, outage
):
    MIDDLEWARES[where](monkeypatch, outage)
    client.raise_request_exception = False  # Django's test client re-raises by default

    response = reserve(client, bearer, **{"Idempotency-Key": str(uuid.uuid4())})

    assert_unavailable(response)
    assert_nothing_reserved(session_id())


def test_an_outage_in_a_cors_preflight_answers_503(db, client, monkeypatch, outage):
    monkeypatch.setattr(cors, "authorised_anywhere", raising(outage))
    client.raise_request_exception = False

    response = client.options(
        RESERVE, HTTP_ORIGIN="https://acme.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert_unavailable(response)


@pytest.mark.parametrize("where", list(MIDDLEWARES))
def test_a_bug_in_a_middleware_is_still_a_500_problem(where, bearer, client, monkeypatch, tmp_path):
    MIDDLEWARES[where](monkeypatch, BUGS["undefined table"](tmp_path))
    client.raise_request_exception = False

    response = reserve(client, bearer, **{"Idempotency-Key": str(uuid.uuid4())})

    assert response.status_code == 500 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "internal-error" and "Retry-After" not in response
    assert_nothing_reserved(session_id())


@pytest.mark.parametrize("path", ["/portal/", "/admin/"])
def test_a_backoffice_page_answers_a_plain_503(path, db, client, monkeypatch, outage):
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "load", raising(outage))
    client.cookies["sessionid"] = "s" * 32
    client.raise_request_exception = False

    response = client.get(path)

    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER)
    assert response["Content-Type"].startswith("text/html")
    assert b"Service unavailable" in response.content


def test_a_bug_on_a_backoffice_page_is_still_a_500(db, client, monkeypatch, tmp_path):
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "load", raising(BUGS["undefined table"](tmp_path)))
    client.cookies["sessionid"] = "s" * 32
    client.raise_request_exception = False

    response = client.get("/portal/")

    assert response.status_code == 500 and "Retry-After" not in response


@pytest.mark.parametrize("where", ["route", "middleware"])
def test_an_outage_is_logged_as_one_warning_without_traceback(
    where, bearer, client, monkeypatch, caplog, outage
):
    if where == "route":
        monkeypatch.setattr(lifecycle, "record", raising(outage))
    else:
        break_idempotency_claim(monkeypatch, outage)
    client.raise_request_exception = False
    caplog.set_level(logging.INFO)

    assert reserve(client, bearer, **{"Idempotency-Key": "k-1"}).status_code == 503

    logged = [(r.name, r.levelname, r.exc_info) for r in caplog.records]
    assert [(name, level) for name, level, _ in logged] == [("jackpot.api", "WARNING")], logged
    assert logged[0][2] is None  # no traceback
    assert "database unreachable" in caplog.records[0].getMessage()


def test_a_bug_is_logged_as_an_error_with_its_traceback(bearer, client, monkeypatch, caplog):
    monkeypatch.setattr(lifecycle, "record", raising(RuntimeError("database on fire")))
    caplog.set_level(logging.INFO)

    assert reserve(client, bearer).status_code == 500

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None


def test_every_operation_documents_the_503(client, db):
    schema = client.get("/v2/openapi.json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations
    for operation in operations:
        assert PROBLEM in operation["responses"]["503"]["content"]
