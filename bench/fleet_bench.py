"""One node against two, on the same cores and the same PostgreSQL, in one invocation.

    .venv/bin/python bench/fleet_bench.py [--seconds 8] [--rounds 2] [--connections 16]

A scratch database (bench/scratch.py) holds the demo catalogue and the bench partner. Then,
round after round, the short partner flow (token exchange → store list → reserve) runs back to
back on every connection (closed loop, bench/load.py) against:

- one node: `jackpot serve --workers 2` (one granian worker per core);
- two nodes: two `jackpot serve --workers 1` on their own ports, the flows alternating between
  them as a round-robin proxy would share them (without the proxy's own cost).

Both layouts run the same number of Python processes on the same cores, so the figures show what
being two nodes costs or saves (a second supervisor, a second set of database connections, the
catalogue cached twice), not what more hardware would bring. The printed figure for each is the
median of its rounds' flows a second; `--json FILE` writes every round.
"""

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scratch  # noqa: E402
import servers  # noqa: E402
from load import SHORT, Flow, Partner, Recorder, run_closed  # noqa: E402
from load import summary as latency_summary  # noqa: E402

PARTNER = Partner(scratch.PARTNER, scratch.SIGNATURE, scratch.API_KEY)
DEFAULT_URL = scratch.DEFAULT_URL.rsplit("/", 1)[0] + "/jackpot_fleet_bench"


async def flows(bases: list[str], seconds: float, connections: int) -> Recorder:
    """Whole short flows back to back; each flow goes to the next node in turn."""
    turn = itertools.cycle(bases)

    async def request(http, rec):
        await Flow(http, next(turn), PARTNER, rec).run(SHORT)

    return await run_closed(request, seconds=seconds, connections=connections)


def line(name: str, rec: Recorder) -> dict:
    rate = rec.flows / rec.seconds
    p99 = latency_summary(rec.all_latencies())["p99"] * 1000
    errors = rec.error_count()
    print(f"  {name:<28} {rate:7.1f} flows/s   p99 {p99:6.1f} ms   errors {errors}")
    return {"flows_per_s": rate, "p99_ms": p99, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=8, help="each run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="threads per granian worker")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {args.connections} connections, {args.threads} threads a "
        f"worker; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    url = args.database_url
    scratch.prepare(url)
    runs: dict[str, list[dict]] = {"one_node": [], "two_nodes": []}
    try:
        env = scratch.server_env(url)
        layouts = {
            "one_node": lambda: [servers.jackpot(env, 2, args.threads)],
            "two_nodes": lambda: [servers.jackpot(env, 1, args.threads) for _ in range(2)],
        }
        for n in range(1, args.rounds + 1):
            print(f" round {n}")
            for key, make in layouts.items():
                nodes = make()
                try:
                    for node in nodes:
                        node.start()
                    rec = asyncio.run(
                        flows([node.base for node in nodes], args.seconds, args.connections)
                    )
                finally:
                    for node in nodes:
                        node.stop()
                runs[key].append(line(key.replace("_", " "), rec))
    finally:
        scratch.drop(url)
    one = statistics.median(r["flows_per_s"] for r in runs["one_node"])
    two = statistics.median(r["flows_per_s"] for r in runs["two_nodes"])
    print(
        f"\nshort flow, median of {args.rounds} rounds: one node {one:.0f} flows/s, "
        f"two nodes {two:.0f} flows/s ({two / one:.0%} of one)"
    )
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}} | runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
