"""A long run at a steady rate: no error, and no worker's memory growing beyond 10 %.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 40]

The whole partner flow (token exchange → store list → proposed vouchers → reserve → confirm) is
offered at `--rate` flows a second to `jackpot serve` on a scratch PostgreSQL database, with
`jackpot worker` beside it making the PDFs and delivering the webhooks to a receiver on
loopback, as in production. Every 30 seconds it prints the window's throughput, p99, errors
and each server worker's resident memory. The reference memory is taken after the first
minute (imports, caches and connection pools settled); the run fails when any error occurred
or when a worker ends more than 10 % above its reference. The worker's backlog (delivery jobs
not done, webhooks pending) is printed beside, with the worker's CPU over the window (its share
of one core, `wk CPU`) and, at the end, its CPU time per flow: a queue that keeps growing means
one worker cannot keep up with that rate.
"""

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scratch  # noqa: E402
import servers  # noqa: E402
import webhooks_bench  # noqa: E402
from load import FULL, Partner, run_open  # noqa: E402
from load import summary as latency_summary  # noqa: E402

WINDOW = 30.0
SETTLE = 60.0
GROWTH_LIMIT = 0.10


BACKLOG = """
SELECT (SELECT count(*) FROM vouchers_deliveryjob WHERE status <> 'done'),
       (SELECT count(*) FROM webhooks_delivery WHERE status = 'pending')
"""


def backlog(url: str) -> tuple[int, int]:
    """The worker's queue: delivery jobs (PDFs, mails) not done, webhook deliveries pending."""
    with psycopg.connect(url) as db:
        return db.execute(BACKLOG).fetchone()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far (`--processes N` forks)."""
    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for each in processes:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


DONE = """
SELECT (SELECT count(*) FROM vouchers_deliveryjob WHERE status = 'done'),
       (SELECT count(*) FROM webhooks_delivery WHERE status = 'delivered')
"""


def drain(url: str, worker_pid: int, seconds: float) -> None:
    """The load stopped: how fast the worker empties what is left (a READY job writes one more
    webhook, so the webhooks' queue may grow before it shrinks)."""
    with psycopg.connect(url) as db:
        before = db.execute(DONE).fetchone()
    started, cpu = time.monotonic(), cpu_seconds(worker_pid)
    left = backlog(url)
    while left != (0, 0) and time.monotonic() - started < seconds:
        time.sleep(2)
        left = backlog(url)
    took, spent = time.monotonic() - started, cpu_seconds(worker_pid) - cpu
    with psycopg.connect(url) as db:
        after = db.execute(DONE).fetchone()
    jobs, hooks = after[0] - before[0], after[1] - before[1]
    print(
        f"drain: {jobs} jobs done and {hooks} webhooks delivered in {took:.0f} s, the load "
        f"stopped ({jobs / took:.0f} and {hooks / took:.0f} a second, {spent:.0f} s of worker "
        f"CPU); left: {left[0]} jobs, {left[1]} webhooks"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/jackpot_soak")
    parser.add_argument("--minutes", type=float, default=10)
    # 40: what this 2-core machine sustains beside the worker (bench/README.md, "Soak"); the
    # issue's 200 (half the target) is above the 115 whole flows/s it serves with nothing else.
    parser.add_argument("--rate", type=float, default=40, help="offered flows/s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--job-processes", type=int, default=1, help="jackpot worker --processes")
    parser.add_argument(
        "--drain", type=float, default=300, help="seconds left to the worker to empty its queues"
    )
    args = parser.parse_args()

    # The partner's endpoint, in a process of its own with keep-alive and a deep accept queue
    # (webhooks_bench's): a receiver sharing this process's interpreter with the load generator,
    # closing every connection and accepting 5 at a time, made the worker's new connections
    # wait for SYNs retried after a second, and the webhooks looked slow.
    receiver, hook = webhooks_bench.start_receiver(0.0)

    url = args.database_url
    scratch.prepare(url, notification_url=hook)
    env = scratch.server_env(url)
    # The worker delivers to a receiver on loopback, which only demo mode allows.
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "jackpot.cli", "worker", "--processes", str(args.job_processes)],
        env={**env, "JACKPOT_DEMO": "1"},
        cwd=servers.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    partner = Partner(scratch.PARTNER, scratch.SIGNATURE, scratch.API_KEY)
    failures, reference, rss = [], None, []
    print(
        f"soak: {args.rate:.0f} full flows/s offered for {args.minutes:g} min, "
        f"{args.workers} workers × {args.threads} threads, {args.connections} connections, "
        f"{args.job_processes} jackpot worker process(es)"
    )
    print(
        f"{'minute':>6} {'flows/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'jobs':>6} {'hooks':>6} {'wk CPU':>6}  worker RSS MB"
    )
    worker_cpu, flows = 0.0, 0
    try:
        with servers.jackpot(env, args.workers, args.threads) as server:
            started = last = time.monotonic()
            while time.monotonic() - started < args.minutes * 60:
                rec = asyncio.run(
                    run_open(
                        server.base,
                        partner,
                        rate=args.rate,
                        seconds=WINDOW,
                        connections=args.connections,
                        steps=FULL,
                        warmup=0.0,
                    )
                )
                elapsed = time.monotonic() - started
                rss = server.rss_mb()
                lat = latency_summary(rec.all_latencies())
                if reference is None and elapsed >= SETTLE:
                    reference = rss
                jobs, hooks = backlog(url)
                # The jackpot worker's share of one core over the window (its processes').
                spent, now = cpu_seconds(worker.pid), time.monotonic()
                share, worker_cpu, last = (spent - worker_cpu) / (now - last), spent, now
                flows += rec.flows
                print(
                    f"{elapsed / 60:6.1f} {rec.flows / rec.seconds:8.0f} {lat['p50'] * 1000:7.1f} "
                    f"{lat['p99'] * 1000:7.1f} {rec.error_count():6d} {jobs:6d} {hooks:6d} "
                    f"{share:6.0%}  " + " ".join(f"{mb:6.1f}" for mb in rss),
                    flush=True,
                )
                if rec.error_count():
                    failures.append(
                        f"minute {elapsed / 60:.1f}: {dict(rec.errors)} shed {rec.shed}"
                    )
        if flows:
            print(
                f"jackpot worker: {worker_cpu:.0f} s of CPU for {flows} flows, "
                f"{worker_cpu / flows * 1000:.1f} ms a flow (its jobs and webhooks)"
            )
        drain(url, worker.pid, args.drain)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        receiver.terminate()
        scratch.drop(url)
    if reference:
        for n, (before, after) in enumerate(zip(reference, rss, strict=False)):
            growth = after / before - 1
            print(
                f"worker {n}: {before:.1f} MB after the first minute → {after:.1f} MB"
                f" ({growth:+.1%})"
            )
            if growth > GROWTH_LIMIT:
                failures.append(f"worker {n} grew {growth:.1%} (limit {GROWTH_LIMIT:.0%})")
    for failure in failures:
        print("FAILED:", failure)
    print("soak passed" if not failures else "soak failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
