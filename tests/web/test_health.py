"""The probes: /healthz answers while the process runs, /readyz says what keeps it from serving."""

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from jackpot.web import health


@pytest.fixture(autouse=True)
def fresh_checks(settings):
    settings.JACKPOT_READY_CACHE_SECONDS = 0
    health.forget()
    yield
    health.forget()


def refused(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: any query would fail the test.
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_ready_when_the_database_answers_and_every_migration_is_applied(db, client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "no-cache" in answer["Cache-Control"]


def test_a_database_out_of_reach_is_named(db, client, monkeypatch):
    with monkeypatch.context() as outage:
        outage.setattr(connection, "cursor", refused)
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "failing": ["database"]}
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_a_migration_not_applied_makes_the_node_unready(db, client):
    # The app's latest migration: an earlier one whose successor is recorded reads as applied.
    [(app, name)] = MigrationLoader(connection).graph.leaf_nodes("webhooks")
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["failing"] == ["database"]


def test_an_unreachable_redis_is_named(db, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "failing": ["redis"]}


def test_the_answer_is_kept_a_few_seconds(db, client, settings, monkeypatch):
    settings.JACKPOT_READY_CACHE_SECONDS = 60
    assert client.get("/readyz").status_code == 200
    with monkeypatch.context() as outage:
        outage.setattr(connection, "cursor", refused)
        assert client.get("/readyz").status_code == 200  # the last answer, not asked again


def test_probes_are_never_rate_limited_and_open_no_session(db, client, settings):
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 1
    for _ in range(3):
        for path in ("/healthz", "/readyz"):
            answer = client.get(path)
            assert answer.status_code == 200
            assert "RateLimit-Limit" not in answer
            assert not answer.cookies


def test_only_reads(client):
    assert client.post("/healthz").status_code == 405
