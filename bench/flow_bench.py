"""The partner flow under load, on PostgreSQL, with its baselines measured in the same run.

    .venv/bin/python bench/flow_bench.py [--rate 400] [--seconds 10] [--workers 2 --threads 4]

1. A scratch database (dropped and recreated) holds the demo catalogue and a bench partner.
2. `jackpot serve` (granian, WSGI) runs it as a subprocess; the load comes from this process
   over loopback, on 16 persistent connections (bench/load.py).
3. Capacity (closed loop, each connection sends again as soon as answered) of:
   - the framework floor: a bare django-ninja JSON endpoint under the same server settings;
   - `GET /v2/stores` with live sessions; the ratio against the floor is the target (≥ 25 %);
   - reservations (`POST …/reserve-voucher-by-price`, sessions opened beforehand), against the
     database floor: the reservation's own SQL statements sent by psycopg (target ≥ 40 %).
4. Open model: the prototype's flow (token exchange → store list → reserve) offered at `--rate`
   flows a second, then the whole flow (→ proposed vouchers → reserve → confirm) at
   `--full-rate`: throughput, latency percentiles per request, errors.
5. The server's CPU per flow and each worker's peak RSS.

It prints a report; `--json FILE` also writes every figure.
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import db_floor  # noqa: E402
import scratch  # noqa: E402
import servers  # noqa: E402
from load import (  # noqa: E402
    FULL,
    SHORT,
    Flow,
    Partner,
    Recorder,
    StepFailed,
    client,
    run_closed,
    run_open,
)
from load import summary as latency_summary  # noqa: E402
from machine_cpu import MachineCpu  # noqa: E402

PARTNER = Partner(scratch.PARTNER, scratch.SIGNATURE, scratch.API_KEY)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def capacity_line(name: str, rec: Recorder) -> dict:
    lat = latency_summary(rec.all_latencies())
    rate = rec.flows / rec.seconds
    print(
        f"  {name:34} {rate:8.0f}/s  p50 {ms(lat['p50'])} ms  p99 {ms(lat['p99'])} ms"
        f"  errors {rec.error_count()}"
    )
    return {"rate": rate, "errors": rec.error_count(), **lat}


CAPACITY_RUNS = ("framework_floor", "stores", "database_floor_reserve", "reserve")
PAIRS = (("stores", "framework_floor"), ("reserve", "database_floor_reserve"))


def median_run(lines: list[dict]) -> dict:
    """The round whose rate is the median (rounds are odd by default; else the lower middle)."""
    ordered = sorted(lines, key=lambda line: line["rate"])
    return ordered[(len(ordered) - 1) // 2]


def cpu_line(per: dict[str, float]) -> str:
    return ", ".join(f"{party} {ms:.2f} ms" for party, ms in per.items())


def open_report(name: str, rec: Recorder, rate: float, cpu: float, steps) -> dict:
    flows_per_s = rec.flows / rec.seconds
    everything = latency_summary(rec.all_latencies())
    print(
        f"\n{name}: offered {rate:.0f} flows/s for {rec.seconds:.1f} s → {flows_per_s:.0f} flows/s"
        f" ({rec.requests() / rec.seconds:.0f} requests/s), errors {rec.error_count()}"
        f", server CPU {cpu * 1000 / max(rec.flows, 1):.1f} ms a flow"
    )
    header = ("count", "p50 ms", "p99 ms", "p99.9 ms", "max ms")
    print(f"  {'request':12} " + " ".join(f"{h:>8}" for h in header))
    figures = {}
    for step in [*steps, "all"]:
        lat = everything if step == "all" else latency_summary(rec.latencies[step])
        figures[step] = lat
        print(
            f"  {step:12} {lat['count']:7d} {ms(lat['p50'])}  {ms(lat['p99'])}  "
            f"{ms(lat['p99.9'])}  {ms(lat['max'])}"
        )
    if rec.errors or rec.shed:
        print(f"  errors: {dict(rec.errors)} shed {rec.shed}")
    return {
        "offered": rate,
        "flows_per_s": flows_per_s,
        "errors": rec.error_count(),
        "error_causes": {f"{k[0]}:{k[1]}": v for k, v in rec.errors.items()},
        "cpu_ms_per_flow": cpu * 1000 / max(rec.flows, 1),
        "latency": figures,
    }


async def open_sessions(base: str, count: int, connections: int) -> list[str]:
    """`count` live session tokens, opened as fast as the server allows (not timed)."""
    rec, tokens = Recorder(), []
    async with client(connections) as http:
        flow = Flow(http, base, PARTNER, rec)
        remaining = iter(range(count))

        async def opener() -> None:
            for _ in remaining:
                tokens.append(await flow.session())

        await asyncio.gather(*(opener() for _ in range(connections)))
    return tokens


async def stores_capacity(base: str, seconds: float, connections: int) -> Recorder:
    sessions = await open_sessions(base, connections, connections)
    cycle = iter(range(10**9))

    async def request(http, rec):
        await Flow(http, base, PARTNER, rec).stores(sessions[next(cycle) % len(sessions)])

    return await run_closed(request, seconds=seconds, connections=connections)


async def ready_reservations(base: str, count: int, connections: int) -> list[tuple]:
    """`count` live sessions, each with the store it will reserve in (spread over the stores)."""
    sessions = await open_sessions(base, count, connections)
    async with client(connections) as http:
        stores = await Flow(http, base, PARTNER, Recorder()).stores(sessions[-1])
    return [(s, stores[n % len(stores)]) for n, s in enumerate(sessions)]


async def reserve_capacity(base: str, ready: list[tuple], seconds: float, connections: int):
    """Reservations only: their sessions and stores were made ready before the clock started."""

    async def request(http, rec):
        if not ready:
            raise StepFailed("reserve", "no session left")
        bearer, store = ready.pop()
        await Flow(http, base, PARTNER, rec).reserve(bearer, store)

    return await run_closed(request, seconds=seconds, connections=connections)


async def flow_capacity(base: str, steps, seconds: float, connections: int) -> Recorder:
    """Whole flows back to back on every connection: the most flows a second the server does."""

    async def request(http, rec):
        await Flow(http, base, PARTNER, rec).run(steps)

    return await run_closed(request, seconds=seconds, connections=connections)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=scratch.DEFAULT_URL)
    parser.add_argument("--rate", type=float, default=400, help="offered flows/s (short flow)")
    parser.add_argument("--full-rate", type=float, default=200, help="offered flows/s (full)")
    parser.add_argument("--seconds", type=float, default=10, help="each open-model and flow run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of baseline/route pairs")
    parser.add_argument("--round-seconds", type=float, default=5, help="each run of a round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    seconds, conns = args.seconds, args.connections

    import django
    import granian
    import psycopg

    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  Python {platform.python_version()}, Django "
        f"{django.__version__}, granian {granian.__version__}, psycopg {psycopg.__version__}; "
        f"{args.workers} workers × {args.threads} threads, {conns} connections; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}}
    url = args.database_url
    scratch.prepare(url)
    try:
        captured = db_floor.capture(url)
        results["statements"] = {
            name: len(sqls) for name, sqls in captured.items() if not name.startswith("_")
        }
        env = scratch.server_env(url)
        rounds, each = args.rounds, args.round_seconds
        print(
            f"\ncapacity (closed loop): each baseline and its route back to back, {each:g} s each,"
            f" {rounds} rounds; the ratio is the median of the rounds'"
        )
        with (
            servers.floor(args.workers, args.threads) as floor,
            servers.jackpot(env, args.workers, args.threads) as server,
        ):

            async def bare(http, rec):
                await Flow(http, floor.base, PARTNER, rec).call("floor", "GET", "/floor")

            def replay(timed, **options):
                return db_floor.replay(
                    url,
                    captured,
                    timed,
                    before=("exchange",),
                    seconds=each,
                    connections=conns,
                    **options,
                )

            runs: dict[str, list[dict]] = {key: [] for key in CAPACITY_RUNS}
            for n in range(1, rounds + 1):
                print(f" round {n}")
                # Sessions for this round's reservations (600 a second at most), made untimed.
                ready = asyncio.run(ready_reservations(server.base, int(600 * (each + 2)), conns))
                for key, label, run in (
                    (
                        "framework_floor",
                        "framework floor (bare ninja GET)",
                        lambda: run_closed(bare, seconds=each, connections=conns),
                    ),
                    ("stores", "GET /v2/stores", lambda: stores_capacity(server.base, each, conns)),
                    (
                        "database_floor_reserve",
                        "database floor: reserve statements",
                        lambda: replay(("reserve",)),
                    ),
                    (
                        "reserve",
                        "POST reserve-voucher-by-price",
                        lambda ready=ready: reserve_capacity(server.base, ready, each, conns),
                    ),
                ):
                    with MachineCpu(server.pids()) as machine:
                        line = capacity_line(label, asyncio.run(run()))
                    line["cpu_ms"] = machine.per_unit(line["rate"])
                    runs[key].append(line)
            results["database_floor_stores"] = capacity_line(
                "database floor: store list statements",
                asyncio.run(replay(("stores",), reuse=True)),
            )
            for key in CAPACITY_RUNS:
                results[key] = median_run(runs[key])
            for route, baseline in PAIRS:
                results[f"{route}_ratios"] = [
                    r["rate"] / b["rate"] for r, b in zip(runs[route], runs[baseline], strict=True)
                ]
            print(f"  CPU a store list: {cpu_line(results['stores']['cpu_ms'])}")
            print(f"  CPU a reservation: {cpu_line(results['reserve']['cpu_ms'])}")
            for name, steps, target in (
                ("short flow", SHORT, args.rate),
                ("full flow", FULL, args.full_rate),
            ):
                key = name.replace(" ", "_")
                with MachineCpu(server.pids()) as machine:
                    capacity = capacity_line(
                        f"{name}, back to back",
                        asyncio.run(flow_capacity(server.base, steps, seconds, conns)),
                    )
                print(machine.report(capacity["rate"] * machine.seconds))
                capacity["cpu_ms"] = machine.per_unit(capacity["rate"])
                results[f"{key}_capacity"] = capacity
                # The target rate, then a rate this server sustains (70 % of its capacity).
                for label, rate in (("target", target), ("sustained", 0.7 * capacity["rate"])):
                    cpu = server.cpu_seconds()
                    rec = asyncio.run(
                        run_open(
                            server.base,
                            PARTNER,
                            rate=rate,
                            seconds=seconds,
                            connections=conns,
                            steps=steps,
                        )
                    )
                    cpu = (server.cpu_seconds() - cpu) * rec.flows / (rec.flows + rec.warmup_flows)
                    results[f"{key}_{label}"] = open_report(
                        f"{name} ({label} rate)", rec, rate, cpu, steps
                    )
            results["peak_rss_mb"] = server.peak_rss_mb()

        ratio_stores = statistics.median(results["stores_ratios"])
        ratio_reserve = statistics.median(results["reserve_ratios"])
        short, sustained = results["short_flow_target"], results["short_flow_sustained"]
        print(
            f"\nstatements per step: {results['statements']}"
            f"\nstore list / framework floor: {ratio_stores:.0%} (target ≥ 25 %), rounds: "
            + ", ".join(f"{r:.0%}" for r in results["stores_ratios"])
            + f"\nreserve / database floor:     {ratio_reserve:.0%} (target ≥ 40 %), rounds: "
            + ", ".join(f"{r:.0%}" for r in results["reserve_ratios"])
            + f"\nshort flow: {short['flows_per_s']:.0f} flows/s at {short['offered']:.0f} offered,"
            f" p99 {ms(short['latency']['all']['p99']).strip()} ms (target ≥ 400 flows/s,"
            f" p99 ≤ 50 ms); at {sustained['offered']:.0f} offered: p99"
            f" {ms(sustained['latency']['all']['p99']).strip()} ms,"
            f" {sustained['cpu_ms_per_flow']:.1f} ms of server CPU a flow"
            f"\npeak RSS per worker: "
            + ", ".join(f"{mb:.0f} MB" for mb in results["peak_rss_mb"])
            + " (target ≤ 150 MB)"
        )
        results["ratios"] = {"stores_vs_framework": ratio_stores, "reserve_vs_db": ratio_reserve}
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        if not args.keep_database:
            scratch.drop(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
