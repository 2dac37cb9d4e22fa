"""Micro benchmarks: partner-token verification and catalogue pricing, in-process, no server.

    .venv/bin/python bench/micro_bench.py                  # about 30 s on a quiet machine
    .venv/bin/python bench/micro_bench.py --quick          # shorter batches, noisier
    .venv/bin/python bench/micro_bench.py --profile stores-1000   # cProfile one case instead

Everything runs in this process on a temporary SQLite file (migrated, the demo catalogue and a
partner loaded): no database server, no HTTP.

1. **tokens**, on a token built as the seed guide's PyJWT sample builds it (tests/conftest.py
   `build_token`): HS256, amount, cp, age, gender, userId, iat, notificationKey.
   - `hmac.digest(key, signing_input, "sha256")`: the reference, the HMAC alone;
   - `jwt.decode` with the key: what PyJWT alone costs for the same token;
   - verification, pure part: what `tokens.verification.verify` does once it knows the partner
     (parse, header rules, signature, claims, digest of the signed input), the partner's
     signatures already in memory: no query;
   - `verify()`: the same with the partner and its signatures read from SQLite;
   - `sessions.exchange()`: verify, burn and open the session in one transaction (SQLite), a
     new token each time: `POST /v2/token` minus HTTP.
2. **pricing** of the whole demo catalogue (15 stores, 17 offers: every campaign, targeting
   ignored) for one session amount, 20 € and 1000 €, as `GET /v2/stores` (each store's best
   offer) and `GET /v2/stores/proposed-vouchers` (every voucher) build their response: offers
   and their pricing rules made from the campaign rows, priced, turned into the response dict.
   The campaign rows are read once, outside the timing. The reference in the same run is
   `json.dumps` of the same response dict. Then the two route functions themselves, called
   in-process with a real session: their SQL query and targeting included (the seed token's
   audience sees 12 of the 15 stores), and the JSON encoding when the route writes its answer
   itself; not the middleware, authentication or HTTP.

Each case runs in batches of at least --min-time seconds, --repeat times: "best" is the fastest
batch (the figure ratios use: the least disturbed by other work on a shared machine), "median"
the median batch, "CPU" the process CPU time per operation over all batches.
"""

import argparse
import cProfile
import hmac
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import timeit
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from scratch import django_here  # noqa: E402  (bench/: Django on a scratch database)

ROOT = Path(__file__).resolve().parent.parent
SIGNATURE = "test-api-signature-0123456789abcdef0123456789"  # as tests/conftest.py
PARTNER = "acme"
AMOUNTS = (Decimal(20), Decimal(1000))


def setup_django(database_url: str) -> None:
    django_here(database_url)

    from jackpot.catalog import importer
    from jackpot.partners import credentials
    from jackpot.vouchers import catalogue_import

    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    credentials.create_partner(
        "Acme", partner_id=PARTNER, domains=["acme.example"], api_signature=SIGNATURE
    )


def seed_token(**claims) -> str:
    """A partner token as the seed guide's Python sample (PyJWT) builds it."""
    import jwt

    payload = {
        "amount": 100,
        "cp": "75000",
        "age": 40,
        "gender": "M",
        "userId": "u-1234",
        "iat": int(time.time()),
        "notificationKey": f"nk-{time.monotonic_ns()}",
    }
    payload.update(claims)
    return jwt.encode(payload, SIGNATURE, algorithm="HS256")


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


class Timing:
    def __init__(self, batches: list[float], loops: int, cpu: float):
        self.loops = loops
        self.best = min(batches) / loops * 1e6  # µs per operation
        self.median = statistics.median(batches) / loops * 1e6
        self.cpu = cpu / (loops * len(batches)) * 1e6


def measure(fn, min_time: float, repeat: int, loops: int | None = None) -> Timing:
    fn()  # warm-up: imports, caches, first queries
    if loops is None:
        loops = 1
        while True:
            started = time.perf_counter()
            for _ in range(loops):
                fn()
            if time.perf_counter() - started >= min_time:
                break
            loops *= 2
    timer = timeit.Timer(fn)
    batches = []
    cpu_started = time.process_time()
    for _ in range(repeat):
        batches.append(timer.timeit(loops))
    return Timing(batches, loops, time.process_time() - cpu_started)


def batched(make_batch, run_one, batch: int, repeat: int) -> Timing:
    """Operations that consume their input (a token burns once): a fresh batch each time."""
    batches = []
    cpu = 0.0
    for _ in range(repeat):
        items = make_batch(batch)
        cpu_started, started = time.process_time(), time.perf_counter()
        for item in items:
            run_one(item)
        batches.append(time.perf_counter() - started)
        cpu += time.process_time() - cpu_started
    return Timing(batches, batch, cpu)


HEADER = f"{'case':<44} {'best µs':>9} {'median µs':>9} {'CPU µs':>8} {'× ref':>7}"


def row(name: str, timing: Timing, reference: Timing | None) -> None:
    ratio = f"{timing.best / reference.best:>7.1f}" if reference else f"{'ref':>7}"
    print(
        f"{name:<44} {timing.best:>9.2f} {timing.median:>9.2f} {timing.cpu:>8.2f} {ratio}",
        flush=True,
    )


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def token_cases():
    """name → callable, for one valid seed-like token."""
    import jwt
    from django.utils import timezone

    from jackpot.partners import credentials
    from jackpot.partners.models import Partner
    from jackpot.tokens import verification

    token = seed_token()
    signing_input = token.rsplit(".", 1)[0].encode()
    key = SIGNATURE.encode()
    partner = Partner.objects.get(pk=PARTNER)
    secrets = credentials.valid_signatures(partner)  # read once: no query in the loop
    ceiling = partner.session_ceiling

    def pure():  # verification.verify minus resolve_partner and valid_signatures (the queries)
        now = timezone.now()
        read = verification.read_unverified(token)
        verification.check_header(read.header)
        verification.check_token(read, secrets, ceiling, now)
        return read.digest

    return {
        "hmac.digest(key, signing input, sha256)": lambda: hmac.digest(
            key, signing_input, "sha256"
        ),
        "jwt.decode(token, key, HS256)": lambda: jwt.decode(token, key, algorithms=["HS256"]),
        "verification, pure part (no query)": pure,
        "verify() (partner + signatures from SQLite)": lambda: verification.verify(
            token, client_id=PARTNER
        ),
    }


def bench_tokens(args) -> None:
    from jackpot.tokens import sessions

    print("tokens: one valid token like the seed guide's (HS256, 7 claims)")
    print(HEADER)
    reference = None
    for name, fn in token_cases().items():
        timing = measure(fn, args.min_time, args.repeat)
        row(name, timing, reference)
        reference = reference or timing
    timing = batched(
        lambda n: [seed_token() for _ in range(n)],
        lambda token: sessions.exchange(token, client_id=PARTNER),
        args.exchanges,
        args.repeat,
    )
    row("exchange() (verify + burn + session, SQLite)", timing, reference)


# ---------------------------------------------------------------------------------------------
# Pricing
# ---------------------------------------------------------------------------------------------


def catalogue():
    from jackpot.catalog.models import Campaign

    campaigns = list(
        Campaign.objects.select_related("store").order_by("store__name", "store_id", "start", "id")
    )
    return campaigns, len({c.store_id for c in campaigns})


def pricing_cases(campaigns, amount: Decimal):
    """The two catalogue responses for `amount`, built as the routes build them, minus SQL."""
    from jackpot.catalog import offers
    from jackpot.catalog.representation import quote_object, store_object
    from jackpot.core.formats import amount as money_out

    def all_offers():  # what offers.offers_for makes of the rows (targeting aside)
        return [
            offers.Offer(offer_id, c.store, c, rule)
            for c in campaigns
            for offer_id, rule in offers.offer_ids(c)
        ]

    def stores():  # api.store_routes.list_stores
        best = offers.best_by_store(all_offers(), amount)
        items = [{**store_object(o.store), "bestOffer": quote_object(o, q)} for o, q in best]
        return {"amount": money_out(amount), "currency": "EUR", "count": len(items), "items": items}

    def proposed():  # api.store_routes.all_proposed_vouchers
        by_store: dict[str, list] = {}
        for offer in all_offers():
            by_store.setdefault(offer.store.id, []).append(offer)
        items = []
        for store_offers in by_store.values():
            quotes = [(o, q) for o in store_offers for q in o.proposed(amount)]
            quotes.sort(key=lambda oq: (oq[1].value, oq[1].price, oq[0].id))
            vouchers = [quote_object(o, q) for o, q in quotes]
            items.append({"store": store_object(store_offers[0].store), "vouchers": vouchers})
        return {
            "amount": money_out(amount),
            "currency": "EUR",
            "items": [i for i in items if i["vouchers"]],
        }

    return stores, proposed


def route_body(answer) -> dict:
    """A route's document, whether it returns it or an HttpResponse holding its JSON."""
    return json.loads(answer.content) if hasattr(answer, "content") else answer


def route_cases(amount: Decimal):
    """The route functions, in-process, for a live session of `amount` (SQL and targeting in)."""
    from jackpot.api import store_routes
    from jackpot.tokens import sessions

    session = sessions.exchange(seed_token(amount=int(amount)), client_id=PARTNER).session
    request = SimpleNamespace(jackpot_session=session)
    return (
        lambda: store_routes.list_stores(request),
        lambda: store_routes.all_proposed_vouchers(request),
    )


def bench_pricing(args) -> None:
    campaigns, store_count = catalogue()
    offer_count = sum(2 if c.mode == "mixed" else 1 for c in campaigns)
    print(
        f"\npricing: demo catalogue, {store_count} stores, {offer_count} offers (every campaign, "
        "targeting ignored), one session; × ref = / json.dumps of the same response"
    )
    print(
        f"{'amount':>6} {'response':<32} {'vouchers':>8} {'µs/catalogue':>12} {'µs/store':>9} "
        f"{'median µs':>9} {'CPU µs':>8} {'× ref':>6}"
    )

    def line(amount, name, count, timing, reference):
        ratio = f"{timing.best / reference.best:>6.1f}" if reference else f"{'ref':>6}"
        print(
            f"{amount:>6} {name:<32} {count:>8} {timing.best:>12.1f} "
            f"{timing.best / store_count:>9.1f} {timing.median:>9.1f} {timing.cpu:>8.1f} {ratio}",
            flush=True,
        )

    for amount in AMOUNTS:
        stores, proposed = pricing_cases(campaigns, amount)
        list_route, proposed_route = route_cases(amount)
        for name, fn, route, count_of in (
            ("GET /v2/stores (best offers)", stores, list_route, lambda r: len(r["items"])),
            (
                "GET /v2/stores/proposed-vouchers",
                proposed,
                proposed_route,
                lambda r: sum(len(i["vouchers"]) for i in r["items"]),
            ),
        ):
            response = fn()
            reference = measure(lambda r=response: json.dumps(r), args.min_time, args.repeat)
            timing = measure(fn, args.min_time, args.repeat)
            line(amount, name, count_of(response), timing, reference)
            line(amount, "  json.dumps of that response", "", reference, None)
            routed = route_body(route())
            timing = measure(route, args.min_time, args.repeat)
            print(
                f"{amount:>6} {'  the route function, in-process':<32} {count_of(routed):>8} "
                f"{timing.best:>12.1f} {timing.best / len(routed['items']):>9.1f} "
                f"{timing.median:>9.1f} {timing.cpu:>8.1f} {timing.best / reference.best:>6.1f}"
                f"   ({len(routed['items'])} stores for the seed audience)",
                flush=True,
            )


# ---------------------------------------------------------------------------------------------


def profile(case: str, seconds: float) -> None:
    if case == "token":
        fn = token_cases()["verification, pure part (no query)"]
    else:
        kind, amount = case.split("-")
        stores, proposed = pricing_cases(catalogue()[0], Decimal(amount))
        fn = stores if kind == "stores" else proposed
    fn()
    profiler = cProfile.Profile()
    deadline = time.perf_counter() + seconds
    calls = 0
    profiler.enable()
    while time.perf_counter() < deadline:
        fn()
        calls += 1
    profiler.disable()
    print(f"cProfile of {case}: {calls} calls in {seconds} s (profiler overhead included)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds a batch, at least")
    parser.add_argument("--repeat", type=int, default=5, help="batches a case")
    parser.add_argument("--exchanges", type=int, default=200, help="tokens a batch of exchanges")
    parser.add_argument("--quick", action="store_true", help="--min-time 0.05 --repeat 3")
    parser.add_argument(
        "--profile",
        choices=["token", "stores-20", "stores-1000", "proposed-20", "proposed-1000"],
        help="print a cProfile of one case instead of the tables",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.min_time, args.repeat, args.exchanges = 0.05, 3, 50

    sys.path.insert(0, str(ROOT / "src"))
    scratch = tempfile.TemporaryDirectory(prefix="jackpot-micro-")
    started = time.perf_counter()
    setup_django(f"sqlite:///{Path(scratch.name) / 'micro.sqlite3'}")
    from django.db import connection

    try:
        if args.profile:
            profile(args.profile, 3.0)
            return 0
        import django
        import jwt

        print(
            f"Python {sys.version.split()[0]}, Django {django.__version__}, PyJWT "
            f"{jwt.__version__}, SQLite {connection.Database.sqlite_version}; "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
        )
        bench_tokens(args)
        bench_pricing(args)
        print(
            f"\n{time.perf_counter() - started:.0f} s; load average now "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
    finally:
        connection.close()
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
