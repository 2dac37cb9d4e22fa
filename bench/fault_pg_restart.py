"""A real PostgreSQL restart under load: every answer a success or a clean 503, then recovery.

    .venv/bin/python bench/fault_pg_restart.py            # run by `make soak`
    .venv/bin/python bench/fault_pg_restart.py --before 10 --after 15 --threads 4

Makes a scratch database (`jackpot_fault_bench`, dropped and created again), migrates it, loads
a one-store catalogue and an auto-confirmation partner with the `jackpot` commands, and serves
it with `jackpot serve` (2 workers, 4 threads each). Threads drive the partner flow (token
exchange, stores, reservation, which confirms), each flow with a fresh token and a fresh
connection; mid-load, `pg_ctlcluster --skip-systemctl-redirect 15 main restart` restarts the
real PostgreSQL (every connection dies, new ones are refused while it is down). It prints the
answers by status before, during and after the restart, how long the service took to recover,
and a few consistency checks of the database; the server is never restarted.

Exits 1 if any answer was a 500 (or anything but a success or a 503 problem with Retry-After),
if a connection was dropped, if the server logged a traceback, if it did not recover within
--recovery seconds of PostgreSQL being back, or if the database is inconsistent. Bounded: about
a minute. PostgreSQL is started again at the end if it is not up. Do not run it while other
work needs the cluster: every connection to it is cut.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scratch  # noqa: E402  (bench/: the scratch database, shared by the benches)
import servers  # noqa: E402
from fault_load import Answer, Load  # noqa: E402  (bench/: the partner flows under the fault)

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "fault-bench-" + "k" * 48
CATALOG = {
    "stores": [
        {
            "id": "bench-sport",
            "name": "Bench Sport",
            "baseColor": "#0a5",
            "validityMonths": 12,
            "voucherValueMin": 10,
            "voucherValueMax": 500,
            "voucherValueStep": 1,
            "codeSource": "generated",
            "campaigns": [
                {
                    "id": "bench-sport-launch",
                    "mode": "majoration",
                    "tiers": [{"from": 0, "rate": "0.05"}, {"from": 50, "rate": "0.08"}],
                    "start": "2026-01-01T00:00:00Z",
                    "end": None,
                    "rounding": "cent",
                    "budget": None,  # a minute of load must not exhaust it
                    "maxVouchers": None,
                }
            ],
        }
    ]
}


# --- set-up -----------------------------------------------------------------------------------


def jackpot(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command, our own arguments
        [sys.executable, "-m", "jackpot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"jackpot {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def start_server(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        server = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "jackpot.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v2/openapi.json", timeout=2).is_success:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("the server did not start within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def pg_ready(host: str, port: str) -> bool:
    done = subprocess.run(  # noqa: S603 - PostgreSQL's client tool, found on PATH
        ["pg_isready", "-h", host, "-p", port],  # noqa: S607
        capture_output=True,
        timeout=10,
        check=False,
    )
    return done.returncode == 0


class Watch:
    """When PostgreSQL stopped accepting connections, and when it accepted them again."""

    def __init__(self, host: str, port: str):
        self.host, self.port = host, port
        self.down_at: float | None = None
        self.up_at: float | None = None
        self.stopped = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        deadline = time.monotonic() + 90
        while self.up_at is None and not self.stopped and time.monotonic() < deadline:
            ready = pg_ready(self.host, self.port)
            now = time.monotonic()
            if not ready and self.down_at is None:
                self.down_at = now
            elif ready and self.down_at is not None:
                self.up_at = now
            time.sleep(0.1)

    def wait_up(self, timeout: float) -> float | None:
        """When it was seen back; None if it was never seen down (a restart under 0.1 s)."""
        self.thread.join(timeout=timeout if self.down_at is not None else 0.5)
        self.stopped = True
        if self.up_at is None and not pg_ready(self.host, self.port):
            raise SystemExit(f"PostgreSQL is not accepting connections {timeout} s after restart")
        return self.up_at


# --- report -----------------------------------------------------------------------------------


def table(phases: list[tuple[str, float, float]], answers: list[Answer], origin: float) -> str:
    lines = [
        f"{'phase':<8} {'window (s)':>13} {'answers':>8} {'2xx':>6} {'503':>6} {'500':>5} "
        f"{'other':>6} {'dropped':>8}"
    ]
    for name, start, end in phases:
        inside = [a for a in answers if start <= a.at < end]
        statuses = Counter(a.status for a in inside)
        ok = sum(n for s, n in statuses.items() if s is not None and 200 <= s < 300)
        other = sum(n for s, n in statuses.items() if s is not None and s not in (500, 503))
        other -= ok
        window = f"{start - origin:5.1f}–{min(end, answers[-1].at) - origin:5.1f}"
        lines.append(
            f"{name:<8} {window:>13} {len(inside):>8} {ok:>6} {statuses[503]:>6} "
            f"{statuses[500]:>5} {other:>6} {statuses[None]:>8}"
        )
    return "\n".join(lines)


CHECKS = {
    "vouchers not CONFIRMED (auto mode confirms at reservation)": """
        SELECT count(*) FROM vouchers_voucher WHERE state <> 'CONFIRMED'""",
    "vouchers without their coupon/reserved notification": """
        SELECT count(*) FROM vouchers_voucher v WHERE NOT EXISTS (
            SELECT 1 FROM webhooks_outboxevent e WHERE e.partner_id = v.partner_id
            AND e.notification_key = v.notification_key AND e.event = 'coupon/reserved')""",
    "vouchers without their coupon/confirmed notification": """
        SELECT count(*) FROM vouchers_voucher v WHERE NOT EXISTS (
            SELECT 1 FROM webhooks_outboxevent e WHERE e.partner_id = v.partner_id
            AND e.notification_key = v.notification_key AND e.event = 'coupon/confirmed')""",
    "coupon notifications without their voucher": """
        SELECT count(*) FROM webhooks_outboxevent e WHERE e.event LIKE 'coupon/%'
            AND NOT EXISTS (SELECT 1 FROM vouchers_voucher v WHERE v.partner_id = e.partner_id
            AND v.notification_key = e.notification_key)""",
    "confirmed vouchers without codes worth their value": """
        SELECT count(*) FROM vouchers_voucher v WHERE v.confirm_date IS NOT NULL
            AND v.value <> (SELECT coalesce(sum(c.value), 0) FROM vouchers_code c
                            WHERE c.voucher_id = v.id)""",
    "campaigns whose counters differ from their vouchers": """
        SELECT count(*) FROM catalog_campaign c WHERE (c.vouchers_issued, c.bonus_spent) <> (
            SELECT count(*), coalesce(sum(v.value - v.price), 0) FROM vouchers_voucher v
            WHERE v.campaign_id = c.id AND v.state NOT IN ('CANCELED', 'EXPIRED'))""",
    "ledger transactions whose entries do not sum to 0": """
        SELECT count(*) FROM ledger_transaction t WHERE (
            SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e
            WHERE e.transaction_id = t.id) <> 0""",
    "accounts whose running balance is not the sum of their entries": """
        SELECT count(*) FROM ledger_account a WHERE
            (SELECT coalesce(sum(b.amount), 0) FROM ledger_balance b WHERE b.account_id = a.id)
            <> (SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e WHERE e.account_id = a.id)""",
    "tokens burned without a session, or sessions without a burn": """
        SELECT abs((SELECT count(*) FROM tokens_tokenburn) - (SELECT count(*) FROM tokens_session))
    """,
    "sessions closed without a voucher, or open with one": """
        SELECT count(*) FROM tokens_session s WHERE (s.closed_at IS NOT NULL) <> EXISTS (
            SELECT 1 FROM vouchers_voucher v WHERE v.session_id = s.id)""",
    "server errors kept as Idempotency-Key answers": """
        SELECT count(*) FROM api_idempotencyrecord WHERE status_code >= 500""",
}


def consistency(database_url: str) -> tuple[dict[str, int], int]:
    with psycopg.connect(database_url) as db:
        found = {name: db.execute(sql).fetchone()[0] for name, sql in CHECKS.items()}
        vouchers = db.execute("SELECT count(*) FROM vouchers_voucher").fetchone()[0]
    return found, vouchers


# --- main -------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="jackpot_fault_bench")
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster's version and name")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--before", type=float, default=10.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=15.0, help="seconds of load after")
    parser.add_argument("--recovery", type=float, default=20.0, help="seconds allowed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    pg_host, _, pg_port = args.server_url.rsplit("@", 1)[-1].partition(":")
    database_url = f"{args.server_url}/{args.database}"
    workdir = Path(tempfile.mkdtemp(prefix="jackpot-fault-"))
    env = os.environ.copy()
    for name in ("JACKPOT_TEST_DATABASE_URL", "JACKPOT_TESTING", "JACKPOT_DEMO", "DEBUG"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="jackpot.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        JACKPOT_DATA_DIR=str(workdir),
        JACKPOT_RATE_LIMIT="0",
        JACKPOT_RATE_LIMIT_ANONYMOUS="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    )

    print(f"scratch database {args.database}: drop, create, migrate, seed")
    scratch.recreate(f"{args.server_url}/{args.database}")
    jackpot(env, "migrate", "--verbosity", "0")
    catalog = workdir / "catalog.json"
    catalog.write_text(json.dumps(CATALOG))
    jackpot(env, "catalog", "import", str(catalog))
    partner = json.loads(
        jackpot(
            env, "partner", "create", "Fault bench", "--id", "fault-bench", "--domain", "b.example"
        )
    )

    port = servers.free_port()
    log_path = workdir / "server.log"
    server = start_server(env, port, log_path)
    load = Load(f"http://127.0.0.1:{port}", partner, args.threads)
    failures: list[str] = []
    restart = ["pg_ctlcluster", "--skip-systemctl-redirect", *args.cluster.split(), "restart"]
    try:
        origin = time.monotonic()
        load.start()
        time.sleep(args.before)
        print(f"restarting PostgreSQL: {' '.join(restart)}")
        watch = Watch(pg_host, pg_port or "5432")
        restart_began = time.monotonic()
        subprocess.run(restart, check=True, timeout=120, capture_output=True)  # noqa: S603
        restart_done = time.monotonic()
        back = watch.wait_up(timeout=60) or restart_done
        deadline = back + args.recovery
        recovered = None
        while recovered is None and time.monotonic() < deadline:
            with load.lock:
                ok = [a.at for a in load.answers if a.success and a.sent >= back]
            recovered = min(ok) if ok else None
            time.sleep(0.05)
        time.sleep(args.after)
    finally:
        load.stop()
        stop_server(server)
        if not pg_ready(pg_host, pg_port or "5432"):
            print("PostgreSQL is down: starting it again")
            subprocess.run([*restart[:-1], "start"], timeout=120, check=False)  # noqa: S603

    answers = sorted(load.answers, key=lambda a: a.at)
    end = answers[-1].at + 1
    phases = [
        ("before", origin, restart_began),
        ("during", restart_began, recovered or end),
        ("after", recovered or end, end),
    ]
    print()
    print(table(phases, answers, origin))
    print()
    unavailable = [a.at for a in answers if a.status == 503]
    print(
        f"PostgreSQL restart: {restart_done - restart_began:.1f} s for pg_ctlcluster; refusing "
        f"connections from +{(watch.down_at or restart_began) - restart_began:.2f} s to "
        f"+{back - restart_began:.2f} s (pg_isready every 0.1 s)"
    )
    if unavailable:
        print(
            f"503 answers: {len(unavailable)}, from +{unavailable[0] - restart_began:.2f} s to "
            f"+{unavailable[-1] - restart_began:.2f} s after the restart began"
        )
    if recovered is None:
        failures.append(f"no success within {args.recovery} s of PostgreSQL being back")
    else:
        print(
            f"time to recovery: first success {recovered - back:.2f} s after PostgreSQL accepted "
            f"connections again ({recovered - restart_began:.2f} s after the restart began), "
            "with the same server"
        )
        late = [a for a in answers if a.sent >= recovered and not a.success]
        if late:
            failures.append(f"{len(late)} failures after the recovery")

    bad = Counter(a.status for a in answers if not a.clean)
    if bad:
        failures.append(f"answers neither a success nor a clean 503: {dict(bad)}")
    if not any(a.at < restart_began and a.success for a in answers):
        failures.append("no successful flow before the restart: the load did not run")
    log = log_path.read_text(errors="replace")
    warnings, tracebacks = log.count("database unreachable"), log.count("Traceback")
    print(f"server log: {warnings} 'database unreachable' warnings, {tracebacks} tracebacks")
    if "Traceback" in log:
        failures.append(f"the server logged tracebacks (see {log_path})")

    found, vouchers = consistency(database_url)
    print(f"\nconsistency of {vouchers} vouchers:")
    for name, count in found.items():
        print(f"  {'ok ' if count == 0 else 'BAD'} {name}: {count}")
        if count:
            failures.append(f"{name}: {count}")
    if not args.keep:
        scratch.drop(f"{args.server_url}/{args.database}")

    print()
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("OK: only successes and 503 problems with Retry-After; recovered without a restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
