"""Flat cost as data grows: every operation on a small and a big database, side by side.

    make bench-data                                   # 5,000 and 1,000,000 vouchers
    .venv/bin/python bench/data_growth.py --big 10000000 --samples 40
    .venv/bin/python bench/data_growth.py --reuse     # measure databases an earlier run built

Both databases are built by `growth_data.py` (the application makes one voucher of each kind,
SQL copies its rows once per planned voucher: 20 partners, one "whale" paying from its wallet
with most of the vouchers, two years of dates; work tables hold what the worker's pruning
keeps). Then `jackpot serve` runs on each (two servers side by side) and every operation is
timed `--samples` times on each after a few unrecorded warm-ups, one request at a time,
alternating between the two databases so that both see the same machine: API calls with the
partners' credentials, portal pages as the whale's staff, admin pages as an operator. The table
gives p50 and p99 on each database and their ratio (the target: within 1.5×), then four
concurrent clients confirming the whale's vouchers (two rounds on each, in mirrored order), then
each table's size on disk and the bytes per voucher.
"""

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import growth_data  # noqa: E402
import scratch  # noqa: E402
import servers  # noqa: E402

from jackpot.core import cursors  # noqa: E402  (stdlib only: no Django needed here)

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "postgres://postgres@127.0.0.1:5432/jackpot_growth_"
FAR_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"


class Bench:
    """One server on one database, with the sessions each kind of caller has."""

    def __init__(self, server: servers.Server, url: str):
        self.base, self.url = server.base, url
        self.api = httpx.Client(base_url=self.base, timeout=60)
        self.portal = self.login("/portal/login/", "whale-staff")
        self.admin = self.login("/admin/login/", "operator")
        self.tokens = 0

    def login(self, path: str, username: str) -> httpx.Client:
        client = httpx.Client(base_url=self.base, timeout=120, follow_redirects=False)
        page = client.get(path)
        plain(client, page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = client.post(
            path,
            data={"username": username, "password": growth_data.PASSWORD,
                  "csrfmiddlewaretoken": token},
            headers={"Referer": self.base + path},
        )  # fmt: skip
        assert answer.status_code == 302, f"{path}: {answer.status_code}"
        plain(client, answer)
        return client

    def sql(self, query: str, *params):
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchone()

    def bearer(self) -> dict[str, str]:
        """A fresh session of the whale's, as its backend and the widget open one."""
        self.tokens += 1
        claims = {"amount": 100, "cp": "75000", "age": 40, "gender": "M",
                  "userId": f"bench-{self.tokens}", "iat": int(time.time()),
                  "notificationKey": f"bench-{time.time_ns()}"}  # fmt: skip
        answer = self.api.post(
            "/v2/token",
            json={"client_id": growth_data.WHALE,
                  "assertion": jwt.encode(claims, growth_data.SIGNATURE, "HS256")},
        )  # fmt: skip
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def reserve(self) -> str:
        headers = self.bearer()
        store = self.api.get("/v2/stores", headers=headers).json()["items"][0]
        offer = store["bestOffer"]
        answer = self.api.post(
            f"/v2/stores/{store['id']}/offers/{offer['offerId']}/reserve-voucher-by-price",
            json={"price": offer["price"]},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]


def plain(client: httpx.Client, response: httpx.Response) -> None:
    """Keep the session and CSRF cookies over plain HTTP on loopback (a production server
    marks them Secure, and the bench talks to it without TLS)."""
    kept = {c.name: c.value for c in client.cookies.jar if not c.secure}
    kept.update(response.cookies.items())
    client.cookies.jar.clear()
    for name, value in kept.items():
        client.cookies.set(name, value)


WHALE_KEY = {"apikey": growth_data.API_KEY}
BILLED_KEY = {"apikey": growth_data.API_KEY + "-b"}


def ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def operations(b: Bench, export_rows: int) -> list[tuple[str, object]]:
    """(name, call): each call prepares what it needs untimed and returns the timed request."""
    user = b.sql("SELECT user_id FROM vouchers_voucher WHERE partner_id = 'whale' LIMIT 1")[0]
    recent = b.sql(
        "SELECT id::text, coupon_id FROM vouchers_voucher WHERE partner_id = 'whale' "
        "AND session_id IS NOT NULL ORDER BY reservation_date DESC LIMIT 1"
    )
    oldest = b.sql(
        "SELECT id::text, coupon_id FROM vouchers_voucher WHERE partner_id = 'whale' "
        "ORDER BY reservation_date LIMIT 1"
    )
    statement = b.sql("SELECT max(id) FROM vouchers_statement WHERE partner_id = 'billed-01'")[0]
    week = f"date_from={ago(7):%Y-%m-%d}&date_to={ago(0):%Y-%m-%d}"
    # The newest `export_rows` of the whale's vouchers, as whole days: an export the same size
    # on both databases (a week of the big one's is 200 times a week of the small one's).
    since = b.sql(
        "SELECT reservation_date FROM vouchers_voucher WHERE partner_id = 'whale' "
        "ORDER BY reservation_date DESC OFFSET %s LIMIT 1",
        export_rows - 1,
    ) or b.sql("SELECT min(reservation_date) FROM vouchers_voucher WHERE partner_id = 'whale'")
    since = since[0]
    newest = f"date_from={since - timedelta(days=1):%Y-%m-%d}&date_to={ago(0):%Y-%m-%d}"

    def get(client, path, headers=None):
        return lambda: lambda: client.get(path, headers=headers)

    def reserve():
        headers = b.bearer()
        store = b.api.get("/v2/stores", headers=headers).json()["items"][0]
        offer = store["bestOffer"]
        path = f"/v2/stores/{store['id']}/offers/{offer['offerId']}/reserve-voucher-by-price"
        return lambda: b.api.post(path, json={"price": offer["price"]}, headers=headers)

    def confirm():
        voucher = b.reserve()
        return lambda: b.api.put(f"/v2/voucher/{voucher}/confirm", headers=WHALE_KEY)

    def exchange():
        b.tokens += 1
        claims = {"amount": 100, "userId": f"x-{b.tokens}", "iat": int(time.time()),
                  "notificationKey": f"x-{time.time_ns()}"}  # fmt: skip
        body = {"client_id": growth_data.WHALE,
                "assertion": jwt.encode(claims, growth_data.SIGNATURE, "HS256")}  # fmt: skip
        return lambda: b.api.post("/v2/token", json=body)

    year = cursors.encode(ago(365), FAR_UUID)
    months23 = cursors.encode(ago(700), FAR_UUID)
    half_year = cursors.encode(ago(182), 2**62)
    return [
        ("token exchange (flat)", exchange),
        ("reserve by price", reserve),
        ("confirm (wallet partner)", confirm),
        ("GET /v2/voucher/{id} (flat)", get(b.api, f"/v2/voucher/{recent[0]}", WHALE_KEY)),
        ("GET /v2/vouchers?userId=", get(b.api, f"/v2/vouchers?userId={user}", WHALE_KEY)),
        ("GET /v2/vouchers first page", get(b.api, "/v2/vouchers", WHALE_KEY)),
        (
            "GET /v2/vouchers cursor a year back",
            get(b.api, f"/v2/vouchers?cursor={year}", WHALE_KEY),
        ),  # fmt: skip
        (
            "GET /v2/vouchers cursor 23 months back",
            get(b.api, f"/v2/vouchers?cursor={months23}", WHALE_KEY),
        ),  # fmt: skip
        ("GET /v2/wallet", get(b.api, "/v2/wallet", WHALE_KEY)),
        (
            "GET /v2/wallet/ledger cursor 6 months back",
            get(b.api, f"/v2/wallet/ledger?cursor={half_year}", WHALE_KEY),
        ),  # fmt: skip
        ("GET /v2/statements", get(b.api, "/v2/statements", BILLED_KEY)),
        ("statement CSV", get(b.api, f"/v2/statements/{statement}/csv", BILLED_KEY)),
        ("portal dashboard 30 days", get(b.portal, "/portal/?days=30")),
        ("portal dashboard 90 days", get(b.portal, "/portal/?days=90")),
        ("portal coupons, first page", get(b.portal, "/portal/coupons/")),
        ("portal coupons, last page", get(b.portal, last_page_path(b))),
        ("portal coupons, search", get(b.portal, f"/portal/coupons/?q={oldest[1]}")),
        ("portal coupon detail", get(b.portal, f"/portal/coupons/{recent[0]}/")),
        ("portal wallet", get(b.portal, "/portal/wallet/")),
        ("portal CSV, 7 days", get(b.portal, f"/portal/coupons/export.csv?{week}")),
        (
            f"portal CSV, newest {export_rows:,}+ rows",
            get(b.portal, f"/portal/coupons/export.csv?{newest}"),
        ),  # fmt: skip
        ("admin vouchers list", get(b.admin, "/admin/vouchers/voucher/")),
        ("admin vouchers search", get(b.admin, f"/admin/vouchers/voucher/?q={oldest[1]}")),
        ("admin deliveries list", get(b.admin, "/admin/webhooks/delivery/")),
        ("admin outbox list", get(b.admin, "/admin/webhooks/outboxevent/")),
    ]


def last_page_path(b: Bench) -> str:
    """The portal's link to the oldest page of coupons, as a user reaches it."""
    page = b.portal.get("/portal/coupons/").text
    found = re.search(r'href="(\?[^"]*)"[^>]*>\s*(?:Last|Dernière|Oldest|Les plus anc)', page)
    return "/portal/coupons/" + (found.group(1).replace("&amp;", "&") if found else "")


def measure(benches: dict[str, Bench], args) -> dict[str, dict]:
    """Each operation's samples on both databases, interleaved: small, big, big, small, ...

    Taking one database's samples and then the other's would compare two different moments of
    the machine (on a shared machine the load changes by the minute); alternating request by
    request gives both databases the same conditions, so the ratio measures the data, not the
    neighbours."""
    samples, warmup = args.samples, args.warmup
    prepared = {label: dict(operations(b, args.export_rows)) for label, b in benches.items()}
    labels = list(benches)
    results = {label: {} for label in labels}
    for name in prepared[labels[0]]:
        if args.only and not any(part.lower() in name.lower() for part in args.only):
            continue
        timings = {label: [] for label in labels}
        statuses = {label: set() for label in labels}
        lines = {label: 0 for label in labels}
        for i in range(warmup + samples):
            for label in labels if i % 2 == 0 else reversed(labels):
                call = prepared[label][name]()
                started = time.perf_counter()
                answer = call()
                elapsed = time.perf_counter() - started
                statuses[label].add(answer.status_code)
                if answer.headers.get("content-type", "").startswith("text/csv"):
                    lines[label] = answer.text.count("\n")
                if i >= warmup:
                    timings[label].append(elapsed * 1000)
        for label in labels:
            ordered = sorted(timings[label])
            results[label][name] = {
                "p50": statistics.median(ordered),
                "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
                "status": ",".join(str(s) for s in sorted(statuses[label])),
                "lines": lines[label],  # of a CSV answer (header and total lines included)
            }
        print(
            f"    {name}: "
            + ", ".join(
                f"{label} {results[label][name]['p50']:.1f} ms ({results[label][name]['status']})"
                for label in labels
            ),
            flush=True,
        )
    return results


def concurrent_confirms(b: Bench, clients: int = 4, each: int = 40) -> float:
    """Confirmations a second from `clients` threads, each confirming its own reservations."""
    ready = [[b.reserve() for _ in range(each)] for _ in range(clients)]
    failures = []

    def run(ids):
        with httpx.Client(base_url=b.base, timeout=60) as http:
            for voucher in ids:
                if http.put(f"/v2/voucher/{voucher}/confirm", headers=WHALE_KEY).status_code != 200:
                    failures.append(voucher)

    threads = [threading.Thread(target=run, args=(ids,)) for ids in ready]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert not failures, f"{len(failures)} confirmations failed"
    return clients * each / elapsed


def sizes(url: str) -> tuple[dict[str, int], int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname, pg_total_relation_size(relid) FROM pg_stat_user_tables ORDER BY 2 DESC"
        ).fetchall()
        vouchers = conn.execute("SELECT count(*) FROM vouchers_voucher").fetchone()[0]
    return dict(rows), vouchers


def build(url: str, vouchers: int, args) -> None:
    command = [sys.executable, str(ROOT / "bench" / "growth_data.py"), url,
               "--vouchers", str(vouchers), "--partners", str(args.partners),
               "--whale-share", str(args.whale_share)]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--whale-share", type=int, default=60)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--export-rows",
        type=int,
        default=2000,
        help="size of the CSV export compared at equal size on both databases",
    )
    parser.add_argument("--reuse", action="store_true", help="measure the databases as they are")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="measure only the operations whose name holds NAME (repeatable: "
        "to re-measure a suspicious row with more samples)",
    )
    args = parser.parse_args()
    runs = {}
    for label, count in (("small", args.small), ("big", args.big)):
        url = f"{BASE_URL}{label}"
        if not args.reuse:
            print(f"building {label}: {count:,} vouchers", flush=True)
            build(url, count, args)
        table_sizes, held = sizes(url)
        runs[label] = {"url": url, "sizes": table_sizes, "vouchers": held, "confirms": []}
    print(
        f"measuring {runs['small']['vouchers']:,} against {runs['big']['vouchers']:,} vouchers, "
        "requests alternating between the two servers",
        flush=True,
    )
    with (
        servers.jackpot(scratch.server_env(runs["small"]["url"]), workers=1, threads=4) as one,
        servers.jackpot(scratch.server_env(runs["big"]["url"]), workers=1, threads=4) as two,
    ):
        benches = {"small": Bench(one, runs["small"]["url"]), "big": Bench(two, runs["big"]["url"])}
        for label, ops in measure(benches, args).items():
            runs[label]["ops"] = ops
        if not args.only:
            for label in ("small", "big", "big", "small"):  # two rounds each, mirrored order
                runs[label]["confirms"].append(concurrent_confirms(benches[label]))
    report(runs)
    return 0


def report(runs: dict) -> None:
    small, big = runs["small"], runs["big"]
    print(f"\n{small['vouchers']:,} against {big['vouchers']:,} vouchers, sequential requests")
    heads = f"{'small p50/p99 ms':>18} {'big p50/p99 ms':>18} {'× p50':>6} {'× p99':>6}"
    print(f"{'operation':44} {heads}")
    for name, s in small["ops"].items():
        g = big["ops"][name]
        print(
            f"{name:44} {s['p50']:8.1f} {s['p99']:8.1f}  {g['p50']:8.1f} {g['p99']:8.1f} "
            f"{g['p50'] / s['p50']:6.2f} {g['p99'] / s['p99']:6.2f}"
        )
    exports = [name for name, s in small["ops"].items() if s["lines"]]
    if exports:
        print("\nCSV answers: lines and p50 ms per 1,000 lines (an export's cost grows with its")
        print("lines, not with the database: compare per line, or exports of the same size)")
        for name in exports:
            s, g = small["ops"][name], big["ops"][name]
            per_s, per_g = 1000 * s["p50"] / s["lines"], 1000 * g["p50"] / g["lines"]
            print(
                f"{name:44} {s['lines']:8,} {per_s:8.1f}  {g['lines']:8,} {per_g:8.1f} "
                f"{per_g / per_s:6.2f}"
            )
    if small["confirms"]:
        print(
            "four concurrent confirm clients (two rounds each): "
            f"{' and '.join(f'{c:.0f}/s' for c in small['confirms'])} small, "
            f"{' and '.join(f'{c:.0f}/s' for c in big['confirms'])} big"
        )
    print(f"\n{'table':32} {'small MB':>9} {'big MB':>9}")
    for table, size in sorted(big["sizes"].items(), key=lambda kv: -kv[1])[:16]:
        print(f"{table:32} {small['sizes'].get(table, 0) / 2**20:9.1f} {size / 2**20:9.1f}")
    total = sum(big["sizes"].values())
    print(f"{'total':32} {sum(small['sizes'].values()) / 2**20:9.1f} {total / 2**20:9.1f}")
    print(f"bytes a voucher (big): {total / big['vouchers']:,.0f}")


if __name__ == "__main__":
    sys.exit(main())
