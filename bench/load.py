"""Load for the benchmarks: a partner's users running the flow against a server on loopback.

Two shapes of load:

* **open model** (`run_open`): flows *arrive* at a fixed offered rate whatever the server's
  speed, as real users do. A flow that cannot start because every connection is busy waits, and
  that wait counts in its first request's latency (measured from the flow's scheduled start, not
  from when it was sent: the coordinated-omission correction of wrk2). Flows that pile up beyond
  a bound are shed and counted as errors, so an overloaded server shows as errors, not as a
  bench that never ends.
* **closed model** (`run_closed`): each connection sends its next request as soon as the last
  answered: the most a server can do with that many connections (its capacity), used for the
  ratios against the baselines.

Latencies are wall-clock seconds from `time.perf_counter`; figures are computed after the run.
"""

import asyncio
import itertools
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import jwt

# The flow's steps, in order; `short` is the prototype's flow, `full` the partner's whole one.
SHORT = ("exchange", "stores", "reserve")
FULL = ("exchange", "stores", "proposed", "reserve", "confirm")


class StepFailed(Exception):
    def __init__(self, step: str, status: int | str):
        super().__init__(f"{step}: {status}")
        self.step, self.status = step, status


@dataclass
class Recorder:
    """What a run measured: latencies by step, flows completed, errors by step and cause."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    flows: int = 0
    warmup_flows: int = 0  # completed in the unrecorded warm-up (for CPU per flow)
    shed: int = 0
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def all_latencies(self) -> list[float]:
        return sorted(itertools.chain.from_iterable(self.latencies.values()))

    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def error_count(self) -> int:
        return sum(self.errors.values()) + self.shed


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100) of an already sorted list; NaN when empty."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50": percentile(ordered, 50),
        "p99": percentile(ordered, 99),
        "p99.9": percentile(ordered, 99.9),
        "max": ordered[-1] if ordered else float("nan"),
    }


@dataclass
class Partner:
    """The bench partner's secrets: what its backend holds."""

    partner_id: str
    signature: str
    api_key: str

    def token(self, amount: int = 100) -> str:
        """A one-time partner JWT, as the integration guide's backend sample signs it."""
        claims = {
            "amount": amount,
            "cp": "75000",
            "age": 40,
            "gender": "M",
            "userId": f"u-{secrets.token_hex(4)}",
            "iat": int(time.time()),
            "notificationKey": f"nk-{secrets.token_hex(8)}",
        }
        return jwt.encode(claims, self.signature, algorithm="HS256")


class Flow:
    """One user's flow through the API; each step is timed and recorded."""

    def __init__(self, http: aiohttp.ClientSession, base: str, partner: Partner, rec: Recorder):
        self.http, self.base, self.partner, self.rec = http, base, partner, rec
        self.store_index = itertools.count()

    async def call(self, step, method, path, since=None, expect=200, **kwargs) -> dict:
        sent = time.perf_counter() if since is None else since
        try:
            async with self.http.request(method, self.base + path, **kwargs) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise StepFailed(step, type(error).__name__) from error
        if status != expect:
            raise StepFailed(step, status)
        self.rec.latencies[step].append(time.perf_counter() - sent)
        return body

    async def session(self, since=None) -> str:
        body = await self.call(
            "exchange",
            "POST",
            "/v2/token",
            since=since,
            json={"client_id": self.partner.partner_id, "assertion": self.partner.token()},
        )
        return body["access_token"]

    async def stores(self, bearer: str) -> list[dict]:
        body = await self.call("stores", "GET", "/v2/stores", headers=_bearer(bearer))
        return body["items"]

    async def reserve(self, bearer: str, store: dict) -> dict:
        offer = store["bestOffer"]
        return await self.call(
            "reserve",
            "POST",
            f"/v2/stores/{store['id']}/offers/{offer['offerId']}/reserve-voucher-by-price",
            expect=201,
            headers=_bearer(bearer),
            json={"price": offer["price"]},
        )

    async def run(self, steps=SHORT, since=None) -> None:
        bearer = await self.session(since)
        stores = await self.stores(bearer)
        # Users spread over the stores, as they do (and as budgets' row locks would feel).
        store = stores[next(self.store_index) % len(stores)]
        if "proposed" in steps:
            await self.call(
                "proposed",
                "GET",
                f"/v2/stores/{store['id']}/proposed-vouchers",
                headers=_bearer(bearer),
            )
        voucher = await self.reserve(bearer, store)
        if "confirm" in steps:
            await self.call(
                "confirm",
                "PUT",
                f"/v2/voucher/{voucher['id']}/confirm",
                headers={"apikey": self.partner.api_key},
            )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client(connections: int) -> aiohttp.ClientSession:
    """Persistent connections, at most `connections` of them, as a partner's pool would be."""
    connector = aiohttp.TCPConnector(limit=connections, keepalive_timeout=60)
    return aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30), raise_for_status=False
    )


async def run_open(
    base: str,
    partner: Partner,
    *,
    rate: float,
    seconds: float,
    connections: int = 16,
    steps=SHORT,
    warmup: float = 2.0,
    max_pending: int = 2000,
) -> Recorder:
    """Start `rate` flows a second for `seconds` (after `warmup` unrecorded seconds)."""
    rec, warm = Recorder(), Recorder()
    async with client(connections) as http:
        tasks: set[asyncio.Task] = set()

        async def one(flow: Flow, scheduled: float) -> None:
            try:
                await flow.run(steps, since=scheduled)
            except StepFailed as failure:
                flow.rec.errors[(failure.step, failure.status)] += 1
            else:
                flow.rec.flows += 1

        for recorder, duration in ((warm, warmup), (rec, seconds)):
            flow = Flow(http, base, partner, recorder)
            interval = 1.0 / rate
            start = time.perf_counter()
            recorder.started = start
            for n in itertools.count():
                scheduled = start + n * interval
                if scheduled >= start + duration:
                    break
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if len(tasks) >= max_pending:
                    recorder.shed += 1
                    continue
                task = asyncio.create_task(one(flow, scheduled))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.wait(set(tasks))
            recorder.ended = time.perf_counter()
    rec.warmup_flows = warm.flows
    return rec


async def run_closed(
    request: Callable[[aiohttp.ClientSession, Recorder], Awaitable[None]],
    *,
    seconds: float,
    connections: int = 16,
    warmup: float = 1.0,
) -> Recorder:
    """`connections` loops, each sending `request` again as soon as it answers."""
    rec, warm = Recorder(), Recorder()
    async with client(connections) as http:
        for recorder, duration in ((warm, warmup), (rec, seconds)):
            recorder.started = time.perf_counter()
            deadline = recorder.started + duration

            async def loop(recorder=recorder, deadline=deadline) -> None:
                while time.perf_counter() < deadline:
                    try:
                        await request(http, recorder)
                    except StepFailed as failure:
                        recorder.errors[(failure.step, failure.status)] += 1
                    else:
                        recorder.flows += 1

            await asyncio.gather(*(loop() for _ in range(connections)))
            recorder.ended = time.perf_counter()
    return rec
