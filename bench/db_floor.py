"""The database floor: the flow's own SQL statements, sent straight to PostgreSQL with psycopg.

`capture` runs one flow through the application in-process (Django's test client, every
middleware) and records, step by step, the exact statements it sent: the same text, in the same
order, transaction control and savepoints included. `replay` then sends those statements from
`connections` concurrent connections as fast as PostgreSQL answers them, one round trip per
statement as the application does; what remains is the cost of the database alone.

A replayed flow must not collide with earlier ones on unique columns, so every value a flow
makes up (UUIDs, credential and token digests, coupon ids, notification keys) is replaced by a
fresh one, consistently within the flow so that its rows still refer to each other. Values that
pre-exist the flow (the partner's apikey digest) are kept.

Run as a script, it prints the captured statements: `python bench/db_floor.py capture URL`.
"""

import asyncio
import itertools
import json
import re
import secrets
import string
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scratch  # noqa: E402
from load import Recorder  # noqa: E402

FRESH = [  # what a flow makes up, and how to make up another of the same shape
    (re.compile(r"'([0-9a-f]{32})'::uuid"), lambda: uuid.uuid4().hex),
    (re.compile(r"'([0-9a-f]{64})'"), lambda: secrets.token_hex(32)),
    (
        re.compile(r"'([A-Z]{10})'"),
        lambda: "".join(secrets.choice(string.ascii_uppercase) for _ in range(10)),
    ),
    (re.compile(r"'(nk-[0-9a-f]+)'"), lambda: f"nk-{secrets.token_hex(8)}"),
    (  # a generated store code
        re.compile(r"'([0-9A-Z]{17})'"),
        lambda: "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(17)),
    ),
]


CAPTURE = r"""
import json, secrets, sys, time
import django
django.setup()
import jwt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
sys.path.insert(0, sys.argv[1])
import scratch

client = Client()
bearer = {}
claims = {"amount": 100, "cp": "75000", "age": 40, "gender": "M", "userId": "u-floor",
          "iat": int(time.time()), "notificationKey": "nk-0123456789abcdef"}


def step(name, call, expect):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == expect, (name, response.status_code, response.content)
    return response.json(), [q["sql"] for q in queries]


steps = {}
for run in ("warm", "captured"):
    claims["notificationKey"] = f"nk-{secrets.token_hex(8)}"
    token = jwt.encode(claims, scratch.SIGNATURE, algorithm="HS256")
    body, steps["exchange"] = step("exchange", lambda: client.post(
        "/v2/token", {"client_id": scratch.PARTNER, "assertion": token},
        content_type="application/json"), 200)
    auth = {"HTTP_AUTHORIZATION": "Bearer " + body["access_token"]}
    body, steps["stores"] = step("stores", lambda: client.get("/v2/stores", **auth), 200)
    store = body["items"][0]
    offer = store["bestOffer"]
    _, steps["proposed"] = step("proposed", lambda: client.get(
        f"/v2/stores/{store['id']}/proposed-vouchers", **auth), 200)
    voucher, steps["reserve"] = step("reserve", lambda: client.post(
        f"/v2/stores/{store['id']}/offers/{offer['offerId']}/reserve-voucher-by-price",
        {"price": offer["price"]}, content_type="application/json", **auth), 201)
    _, steps["confirm"] = step("confirm", lambda: client.put(
        f"/v2/voucher/{voucher['id']}/confirm", HTTP_APIKEY=scratch.API_KEY), 200)
steps["_store"] = [store["id"], offer["offerId"]]
print(json.dumps(steps))
"""


def capture(url: str) -> dict[str, list[str]]:
    """The statements of each step of one flow (the second one: caches are warm)."""
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CAPTURE, str(BENCH)],
        env=scratch.server_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def stores(url: str) -> list[tuple[str, str]]:
    """(store, campaign) pairs: replayed reservations spread over them as the users' do."""
    with psycopg.connect(url) as db:
        return db.execute("SELECT store_id, id FROM catalog_campaign ORDER BY id").fetchall()


def kept_values(url: str) -> set[str]:
    """Values that exist before any flow: replaying must find them, not invent new ones."""
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT api_key_digest FROM partners_partner").fetchall()
    return {r[0] for r in rows}


def freshen(
    steps: dict[str, list[str]], keep: set[str], store: tuple[str, str] | None = None
) -> dict[str, list[str]]:
    """The same statements with every made-up value replaced, consistently across the flow,
    and the flow moved to another `store` (its id and campaign's) when given."""
    mapping: dict[str, str] = {}
    captured_store = steps.get("_store")

    def swap(pattern, make, sql):
        def one(match):
            old = match.group(1)
            if old in keep:
                return match.group(0)
            new = mapping.setdefault(old, make())
            return match.group(0).replace(old, new)

        return pattern.sub(one, sql)

    fresh = {}
    for name, statements in steps.items():
        if name == "_store":
            continue
        out = []
        for sql in statements:
            for pattern, make in FRESH:
                sql = swap(pattern, make, sql)
            if store and captured_store:  # the campaign first: its id starts with the store's
                for old, new in zip(captured_store[::-1], store[::-1], strict=True):
                    sql = sql.replace(f"'{old}'", f"'{new}'")
            out.append(sql)
        fresh[name] = out
    return fresh


async def replay(
    url: str,
    steps: dict[str, list[str]],
    timed: tuple[str, ...],
    *,
    before: tuple[str, ...] = (),
    seconds: float,
    connections: int = 16,
    reuse: bool = False,
) -> Recorder:
    """Closed loop over the `timed` steps of fresh flows, their `before` steps run untimed first.

    `before` sets up what the timed steps need (the session a reservation closes), as the
    application's own capacity runs do, so that both sides time the same work. With `reuse`,
    read-only timed steps run again and again on a few set-up flows (one per connection).
    """
    keep = kept_values(url)
    spread = itertools.cycle(stores(url))
    rec = Recorder()
    pool = [await psycopg.AsyncConnection.connect(url, autocommit=True) for _ in range(connections)]

    async def run(db, flow, names, record) -> None:
        for name in names:
            sent = time.perf_counter()
            for sql in flow[name]:
                await db.execute(sql.encode(), prepare=False)
            if record:
                rec.latencies[name].append(time.perf_counter() - sent)

    try:
        prepared: list[dict[str, list[str]]] = []
        if before:  # enough set-up flows for the timed phase, made beforehand
            count = connections if reuse else int(seconds * 1500)
            flows = [freshen(steps, keep, next(spread)) for _ in range(count)]
            queue = list(flows)

            async def setup(db) -> None:
                while queue:
                    flow = queue.pop()
                    await run(db, flow, before, record=False)
                    prepared.append(flow)

            await asyncio.gather(*(setup(db) for db in pool))
        rec.started = time.perf_counter()
        deadline = rec.started + seconds

        async def loop(db) -> None:
            while time.perf_counter() < deadline:
                if reuse:
                    flow = prepared[rec.flows % len(prepared)]
                elif before:
                    if not prepared:
                        raise RuntimeError("the set-up flows ran out: raise their number")
                    flow = prepared.pop()
                else:
                    flow = freshen(steps, keep, next(spread))
                await run(db, flow, timed, record=True)
                rec.flows += 1

        await asyncio.gather(*(loop(db) for db in pool))
        rec.ended = time.perf_counter()
    finally:
        for db in pool:
            await db.close()
    return rec


if __name__ == "__main__":
    if sys.argv[1:2] == ["capture"]:
        for name, statements in capture(sys.argv[2]).items():
            if name.startswith("_"):
                continue
            print(f"-- {name}: {len(statements)} statements")
            for sql in statements:
                print(sql[:160])
