"""A PostgreSQL connection cut in the middle of a request is dropped when the request ends.

Production keeps connections open (`CONN_MAX_AGE`) with health checks; this is the half of the
recovery the health check does not cover: a connection that broke while a request used it. The
request runs in its own thread (Django's connections are per thread), between the
`request_started` and `request_finished` signals a server sends, and its backend is really
terminated by PostgreSQL, as a restart does.
"""

import threading

import psycopg
import pytest
from django.core import signals
from django.db import OperationalError, connection

from jackpot.core.outages import is_database_outage
from jackpot.partners.models import Partner
from support.faults import postgres_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def terminate(backend_pid: int) -> None:
    with psycopg.connect(postgres_url(connection.settings_dict), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def test_a_connection_cut_mid_request_is_closed_at_its_end_and_the_next_request_reconnects():
    seen = {}

    def requests():
        from django.db import connection as own

        signals.request_started.send(sender=None)
        own.ensure_connection()
        first = own.connection.info.backend_pid
        terminate(first)  # PostgreSQL restarting under the request
        try:
            Partner.objects.count()
        except OperationalError as exc:
            seen["error"] = exc
        signals.request_finished.send(sender=None)
        seen["closed"] = own.connection is None

        signals.request_started.send(sender=None)
        seen["count"] = Partner.objects.count()
        seen["reconnected"] = own.connection.info.backend_pid != first
        signals.request_finished.send(sender=None)
        own.close()

    thread = threading.Thread(target=requests)
    thread.start()
    thread.join(timeout=30)

    assert is_database_outage(seen["error"])  # the real error answers 503
    assert seen["closed"], "the broken connection outlived its request"
    assert seen["count"] == 0 and seen["reconnected"]
