"""A live server through a PostgreSQL restart: clean 503s while it is away, then recovery alone.

`jackpot serve` runs as a subprocess (one granian worker, four threads, persistent connections
with health checks as in production) on the test database, reached through a TCP relay the test
controls. Partner flows (token exchange, stores, reservation, which confirms: the partner is in
auto mode) run from threads. PostgreSQL restarts twice: once while the server is idle (every
connection it keeps is cut, and the database is back at once), then under load: the relay cuts
every connection and turns new ones away for two seconds, then relays again.
"""

import time

import pytest
from django.db import connection

from jackpot.vouchers.models import State, Voucher
from support.consistency import database_problems
from support.faults import Relay, Server, postgres_url, server_environment
from support.load import Load, PartnerKeys, tally
from support.waiting import wait_for

# transaction=True: what the test writes is committed, so the server's connections see it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUTAGE = 2.0  # seconds the database stays away


@pytest.fixture
def relay(transactional_db):
    database = connection.settings_dict
    relay = Relay((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)))
    yield relay
    relay.close()


@pytest.fixture
def server(relay, tmp_path):
    url = postgres_url(connection.settings_dict, "127.0.0.1", relay.port)
    server = Server(server_environment(url, tmp_path), tmp_path / "server.log")
    yield server
    server.stop()


def test_a_database_restart_answers_503_then_the_server_recovers_by_itself(
    make_partner, catalog, relay, server
):
    acme = make_partner("acme")  # auto confirmation: a reservation confirms in its transaction
    keys = PartnerKeys("acme", acme.issued.apiSignature, acme.issued.apiKey, manual=False)
    server.start()
    workers = server.workers()

    warm_up = Load(server.base_url, keys, threads=4).start()
    try:
        wait_for(lambda: warm_up.done_since(0) >= 8, 20, "flows holding connections")
    finally:
        warm_up.stop()
    # Restarted while idle: each kept connection is found dead before use and replaced.
    idle_cut = relay.down()
    relay.up()

    load = Load(server.base_url, keys, threads=3).start()
    try:
        wait_for(lambda: load.done_since(0) >= 4, 20, "flows before the outage")
        down_at = time.monotonic()
        cut = relay.down()
        time.sleep(OUTAGE)  # the outage itself: the load meets a database that is away
        back_at = time.monotonic()
        relay.up()
        wait_for(lambda: load.done_since(back_at) >= 6, 15, "flows after the database is back")
    finally:
        load.stop()
    server_log = server.log()
    answers = load.answers
    summary = f"{tally(answers)}\n{server_log}"

    assert idle_cut >= 1 and cut >= 1, "the server held no database connection to cut"
    assert relay.refused >= 1, "no connection was attempted while the database was away"
    assert all(a.success for a in warm_up.answers)
    # The restart while idle went unnoticed: no failure before the outage.
    assert all(a.success for a in answers if a.at < down_at), summary
    # Never a dropped connection, never a 500: a success, or a 503 problem with Retry-After.
    assert [a for a in answers if a.status is None] == [], summary
    assert [str(a) for a in answers if not (a.success or a.clean_unavailable)] == [], summary
    assert any(a.clean_unavailable for a in load.answers_between(down_at, back_at)), summary
    # Once one flow got through again, every request succeeds: no thread kept a dead connection.
    recovered_at = min(a.at for a in answers if a.success and a.sent >= back_at)
    assert all(a.success for a in answers if a.sent >= recovered_at), summary
    # The same server, the same worker process: nothing was restarted.
    assert server.process.poll() is None and server.workers() == workers
    # Logged as warnings, without a traceback.
    assert "database unreachable" in server_log and "Traceback" not in server_log, server_log

    # Every reservation answered 201 is there, confirmed; nothing is half-written.
    assert database_problems() == []
    states = dict(Voucher.objects.values_list("id", "state"))
    assert {str(pk) for pk in states} >= set(warm_up.vouchers + load.vouchers)
    assert set(states.values()) == {State.CONFIRMED}
