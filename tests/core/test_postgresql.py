"""The kept connection's health check: no round trip while alive, a dead one found before use."""

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from support.waiting import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kept():
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_a_live_connection_is_usable_without_asking_the_server(kept, monkeypatch):
    def round_trip(self):
        raise AssertionError("SELECT 1 sent to a connection with nothing to read")

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", round_trip)
    assert kept.is_usable()


def test_a_connection_the_server_closed_is_not_usable(kept):
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_for(lambda: not kept.is_usable(), 5, "the terminated connection to be unusable", 0.05)


def test_a_closed_connection_is_not_usable(kept):
    kept.connection.close()
    assert not kept.is_usable()
