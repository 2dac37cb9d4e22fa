"""Stateless nodes, proven: two `jackpot serve` processes and two `jackpot worker`s on one
PostgreSQL database and one Redis behave as one platform.

Whatever a node learns lives in the database (burned tokens, sessions, the catalogue) or in
Redis (rate-limit counters); the only thing a node keeps is its copy of the catalogue, for at
most JACKPOT_CATALOGUE_CACHE_SECONDS. Workers share the outboxes through leases: without a
failure every webhook and every PDF/mail job is done exactly once, and after a worker is killed
mid-pass, at least once.
"""

import json
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest

from jackpot.vouchers.models import DeliveryJob, JobStatus
from jackpot.webhooks.models import Delivery, OutboxEvent
from support.fleet import Inbox, Receiver, Worker, worker_environment
from support.reservations import RESERVE
from support.tokens import partner_token
from support.waiting import wait_for

from .conftest import RATE_LIMIT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CACHE_SECONDS = 2  # JACKPOT_CATALOGUE_CACHE_SECONDS of the nodes (support.fleet)


def exchange(node, token: str, client_id: str = "acme") -> httpx.Response:
    body = {"client_id": client_id, "assertion": token}
    return httpx.post(f"{node.base_url}/v2/token", json=body, timeout=20)


def bearer(session: httpx.Response) -> dict:
    return {"Authorization": f"Bearer {session.json()['access_token']}"}


def reserve(node, session: httpx.Response, value: int = 30) -> httpx.Response:
    return httpx.post(
        f"{node.base_url}{RESERVE}", json={"value": value}, headers=bearer(session), timeout=20
    )


def store_name(node, store_id: str = "sportmax") -> str:
    session = exchange(node, partner_token())
    stores = httpx.get(f"{node.base_url}/v2/stores", headers=bearer(session), timeout=20)
    return {s["id"]: s["name"] for s in stores.json()["items"]}[store_id]


def inside_one_rate_window(margin: float = 15.0) -> None:
    """Wait, if needed, so that the next `margin` seconds stay in one rate-limit minute."""
    into = time.time() % 60
    if into > 60 - margin:
        time.sleep(60 - into + 0.1)


def test_two_nodes_share_tokens_sessions_rate_limits_and_the_catalogue(
    make_partner, catalog_data, catalog, start_nodes, database_url, tmp_path
):
    acme = make_partner("acme")
    one, two = start_nodes(2)

    # A token exchanged on one node is spent on the other.
    token = partner_token()
    assert exchange(one, token).status_code == 200
    replayed = exchange(two, token)
    assert (replayed.status_code, replayed.json()["code"]) == (409, "token-already-used")

    # A session opened on one node reserves on the other.
    session = exchange(one, partner_token())
    reserved = reserve(two, session)
    assert reserved.status_code == 201, reserved.text

    # The per-credential limit is counted once for both nodes: alternating between them, the
    # credential gets RATE_LIMIT answers, then 429 from either.
    inside_one_rate_window()
    answers = [
        httpx.get(f"{node.base_url}/v2/wallet", headers={"apikey": acme.issued.apiKey}, timeout=20)
        for _ in range(RATE_LIMIT // 2 + 2)
        for node in (one, two)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [200] * RATE_LIMIT + [429] * 4, statuses
    assert [a.headers["RateLimit-Remaining"] for a in answers[:RATE_LIMIT]] == [
        str(n) for n in range(RATE_LIMIT - 1, -1, -1)
    ]

    # A catalogue change made by one node's operator command reaches the other node's answers
    # within its cache time (both have the old catalogue in their cache first).
    assert store_name(one) == store_name(two) == "SportMax"
    catalog_data["stores"][0]["name"] = "SportMax Fleet"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalog_data))
    subprocess.run(
        [sys.executable, "-m", "jackpot.cli", "catalog", "import", str(path)],
        env=one.env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    # The import has committed; any request made CACHE_SECONDS later sees the change.
    time.sleep(CACHE_SECONDS + 0.2)
    assert store_name(two) == store_name(one) == "SportMax Fleet"

    for node in (one, two):
        assert "Traceback" not in node.log(), node.log()


def settled() -> bool:
    """Nothing left to do: every delivery recorded delivered, every job done."""
    return (
        not Delivery.objects.exclude(status="delivered").exists()
        and not DeliveryJob.objects.exclude(status=JobStatus.DONE).exists()
        and Delivery.objects.exists()
    )


def reserve_many(nodes, count: int, first: int) -> list[str]:
    """`count` vouchers reserved alternately on each node, each mailed to its own address."""
    emails = []
    for n in range(first, first + count):
        email = f"shopper-{n}@example.org"
        session = exchange(nodes[n % 2], partner_token(email=email))
        assert reserve(nodes[(n + 1) % 2], session).status_code == 201
        emails.append(email)
    return emails


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def inbox():
    inbox = Inbox()
    yield inbox
    inbox.close()


def test_two_workers_do_each_job_once_and_after_a_kill_at_least_once(
    make_partner, catalog, start_nodes, database_url, receiver, inbox, tmp_path
):
    make_partner("acme", notification_url=receiver.url, sending_enabled=True)
    nodes = start_nodes(2)
    env = worker_environment(
        database_url,
        inbox.port,
        JACKPOT_WEBHOOK_LEASE=1,  # a killed worker's deliveries come back after a second
        JACKPOT_WEBHOOK_CONCURRENCY=1,  # one request in flight per worker at a time
    )
    workers = [Worker(env, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        # No failure: each webhook once, each voucher mailed once, each job done first time.
        emails = reserve_many(nodes, 6, first=0)
        wait_for(settled, 60, "every delivery and job done", 0.2)
        events = {str(e) for e in OutboxEvent.objects.values_list("id", flat=True)}
        assert receiver.counts() == Counter(dict.fromkeys(events, 1))
        assert inbox.received == Counter(dict.fromkeys(emails, 1))
        assert set(DeliveryJob.objects.values_list("attempts", flat=True)) == {0}

        # A worker killed while its pass waits on a delivery: the other takes over.
        receiver.gate.clear()
        emails += reserve_many(nodes, 6, first=6)
        # One request in flight per worker: two held at the gate means both are mid-pass.
        wait_for(lambda: receiver.waiting >= 2, 30, "both workers waiting on the receiver")
        workers[0].kill()
        receiver.gate.set()
        wait_for(settled, 60, "every delivery and job done after the kill", 0.2)
    finally:
        receiver.gate.set()
        for worker in workers:
            worker.stop()
    events = {str(e) for e in OutboxEvent.objects.values_list("id", flat=True)}
    counts = receiver.counts()
    assert set(counts) == events
    assert min(counts.values()) >= 1
    assert set(inbox.received) == set(emails)
    assert min(inbox.received.values()) >= 1
    assert "Traceback" not in workers[1].log(), workers[1].log()
