"""`jackpot worker` as real processes: killed mid-batch loses nothing; two workers never share.

On PostgreSQL the claims take row locks with SKIP LOCKED; on SQLite the IMMEDIATE transaction
mode lets one writer claim at a time. Both are checked.

The workers run as subprocesses against a database the test can also reach: a SQLite file made
for the test (the suite's own SQLite database is in memory), or the PostgreSQL test database
(`postgres` marker). Events are written by a small script run with the workers' environment.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from support.faults import postgres_url
from support.waiting import wait_for

# transaction=True: what the test database holds is committed, so the workers' connections see
# it, and it is flushed afterwards.
pytestmark = pytest.mark.django_db(transaction=True)

SEED = r"""
import json, sys
import django
django.setup()
from django.db import transaction
from jackpot.partners import credentials
from jackpot.webhooks import outbox

url, count = sys.argv[1], int(sys.argv[2])
partner, _ = credentials.create_partner(
    "Acme", partner_id="acme", domains=["acme.example"], notification_url=url
)
ids = []
with transaction.atomic():
    for n in range(count):
        event = outbox.enqueue(partner, "store/update", store_id="s", data={"n": n})
        ids.append(str(event.id))
print(json.dumps({"secret": partner.webhook_secret, "ids": ids}))
"""


def statuses(database_url: str) -> dict[str, int]:
    """Deliveries by status, read the cheap way: sqlite3 on the file, or this test's ORM."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            rows = db.execute("SELECT status, COUNT(*) FROM webhooks_delivery GROUP BY status")
            return dict(rows.fetchall())
    from django.db.models import Count

    from jackpot.webhooks.models import Delivery

    return dict(Delivery.objects.order_by().values_list("status").annotate(n=Count("id")))


def environment(database_url: str, **extra) -> dict:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="jackpot.settings",
        JACKPOT_TESTING="1",  # loopback receivers allowed, as in the rest of the suite
        DATABASE_URL=database_url,
        JACKPOT_TEST_DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def python(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """An empty, migrated SQLite file, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("webhooks") / "template.sqlite3"
    python(environment(f"sqlite:///{path}"), "-m", "jackpot.cli", "migrate", "--verbosity", "0")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database both the test and its worker subprocesses reach, migrated and empty."""
    if request.param == "sqlite":
        path = tmp_path / "workers.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    if connection.vendor != "postgresql":
        pytest.skip("the suite's database is not PostgreSQL")
    return postgres_url(connection.settings_dict)


def start_worker(env: dict, log_path, *options: str) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "jackpot.cli", "worker", "--interval", "0.1", *options],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=20)
    finally:
        process.log.close()


def test_a_worker_killed_mid_batch_loses_nothing(database_url, receiver, tmp_path):
    count, batch = 60, 4
    env = environment(
        database_url,
        JACKPOT_WEBHOOK_LEASE=1,  # a killed worker's claims come back after a second
        JACKPOT_WEBHOOK_CONCURRENCY=batch,
    )
    seeded = json.loads(python(env, "-c", SEED, receiver.url, str(count)))
    expected = set(seeded["ids"])
    receiver.delay = 0.05  # slow answers: the kill lands while POSTs are in flight

    first = start_worker(env, tmp_path / "worker-1.log")
    try:
        wait_for(lambda: len(receiver.requests) >= 12, what="the first deliveries")
    finally:
        stop(first, signal.SIGKILL)
    at_kill = len(set(receiver.ids()))
    assert at_kill < count, "the worker finished before it was killed"

    second = start_worker(env, tmp_path / "worker-2.log")
    try:
        wait_for(lambda: expected <= set(receiver.ids()), what="every event")
        wait_for(
            lambda: statuses(database_url) == {"delivered": count},
            what="every delivery recorded",
        )
    finally:
        stop(second)

    ids = receiver.ids()
    assert set(ids) == expected  # every event delivered at least once
    assert len(ids) - len(expected) <= batch  # only the batch in flight at the kill came twice
    for request in receiver.requests:
        request.verify(seeded["secret"])


def test_two_workers_deliver_500_events_exactly_once(database_url, receiver, tmp_path):
    count = 500
    env = environment(database_url)
    expected = set(json.loads(python(env, "-c", SEED, receiver.url, str(count)))["ids"])

    workers = [start_worker(env, tmp_path / f"worker-{i}.log") for i in (1, 2)]
    try:
        wait_for(lambda: statuses(database_url) == {"delivered": count}, what="500 deliveries")
    finally:
        for worker in workers:
            stop(worker)  # SIGTERM: a worker finishes the POSTs it started, then exits
    # The workers are gone: every request either of them sent has reached the receiver.

    ids = receiver.ids()
    assert len(ids) == count and set(ids) == expected  # 500 distinct, no duplicate
    assert statuses(database_url) == {"delivered": count}


def children_of(pid: int) -> list[int]:
    """Direct child processes, from /proc (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def test_worker_processes_share_the_work_and_stop_together(database_url, receiver, tmp_path):
    count = 200
    env = environment(database_url)
    expected = set(json.loads(python(env, "-c", SEED, receiver.url, str(count)))["ids"])
    supervisor = start_worker(env, tmp_path / "workers.log", "--processes", "3")
    try:
        wait_for(lambda: len(children_of(supervisor.pid)) == 3, what="three worker processes")
        workers = children_of(supervisor.pid)
        wait_for(lambda: statuses(database_url) == {"delivered": count}, what="200 deliveries")
    finally:
        stop(supervisor)  # SIGTERM: its workers finish the POSTs they started, then all exit
    # The workers are gone: every request any of them sent has reached the receiver.
    assert supervisor.returncode == 0
    ids = receiver.ids()
    assert len(ids) == count and set(ids) == expected  # shared, none sent twice
    assert statuses(database_url) == {"delivered": count}
    for pid in workers:  # stopped, and reaped, with the supervisor
        assert not os.path.exists(f"/proc/{pid}")


def test_a_crashed_worker_process_is_replaced(database_url, tmp_path):
    env = environment(database_url)
    supervisor = start_worker(env, tmp_path / "workers.log", "--processes", "2")
    try:
        wait_for(lambda: len(children_of(supervisor.pid)) == 2, what="two worker processes")
        killed = children_of(supervisor.pid)[0]
        os.kill(killed, signal.SIGKILL)
        wait_for(
            lambda: (
                killed not in children_of(supervisor.pid) and len(children_of(supervisor.pid)) == 2
            ),
            what="a new worker process",
        )
    finally:
        stop(supervisor)
    assert supervisor.returncode == 0
