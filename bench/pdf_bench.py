"""Voucher PDFs: the renderer alone, the worker's READY job, then the PDF link followed.

    .venv/bin/python bench/pdf_bench.py                     # render + jobs on a temp SQLite file
    .venv/bin/python bench/pdf_bench.py --renders 2000 --jobs 0
    .venv/bin/python bench/pdf_bench.py --database-url postgres://postgres@127.0.0.1/scratch

1. **render**: `vouchers.pdf.render` of typical vouchers (one generated code; two pool codes with
   PINs and long mentions), timed one by one: median, p90 and PDFs per second on one core.
   Target: a median under 5 ms a page.
2. **jobs**: N confirmed vouchers of a generated-code store, then `delivery.process_due_jobs`
   (what `jackpot worker` runs) until none is due: codes minted if missing, READY, the event and
   the webhook outbox row written, one transaction per voucher (the PDF is drawn on request,
   not here). Wall clock and this process's CPU time per job (the database's is not in it).
3. **downloads**: `--downloads` GETs of the vouchers' signed PDF links through Django's test
   client (no HTTP server: the route's own cost): the voucher and its codes read, the page drawn,
   its ETag computed; then the same with the browser's `If-None-Match` (a 304, no body).

With --database-url the database must be a scratch one: it is migrated and each run adds its own
partner, store and vouchers (ids suffixed with the time). Every run is bounded by its counts.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from scratch import django_here  # noqa: E402  (bench/: Django on a scratch database)

ROOT = Path(__file__).resolve().parent.parent
RUN = time.strftime("%H%M%S")
PARTNER, STORE = f"bench-pdf-{RUN}", f"bench-pdf-{RUN}"


def sheets():
    from jackpot.vouchers import pdf
    from jackpot.vouchers.codes import generated

    mentions = (
        "Valable en boutique et en retrait au marché. Le code et son code PIN sont demandés en "
        "caisse. Non remboursable, non échangeable contre des espèces ; un seul bon par panier."
    )
    one = pdf.VoucherSheet(
        coupon_id="QWERTYUIOP",
        store_name="Foulée Sport",
        base_color="#007a3d",
        value=Decimal("110.00"),
        currency="EUR",
        validity=datetime(2027, 11, 25, tzinfo=UTC),
        mentions=mentions,
        codes=(pdf.CodeLine(generated.new_generated_code(), "", Decimal("110.00"), None, True),),
        issued=datetime(2026, 11, 25, tzinfo=UTC),
    )
    two = pdf.VoucherSheet(
        coupon_id="ASDFGHJKLZ",
        store_name="Primeur des Halles",
        base_color="#8e2a8e",
        value=Decimal("70.00"),
        currency="EUR",
        validity=datetime(2027, 11, 25, tzinfo=UTC),
        mentions=mentions * 3,
        codes=(
            pdf.CodeLine("PDH50-KX7Q2MAB", "4821", Decimal("50.00"), date(2027, 12, 31)),
            pdf.CodeLine("PDH20-RT5W9BCD", "0937", Decimal("20.00"), date(2027, 12, 31)),
        ),
        issued=datetime(2026, 11, 25, tzinfo=UTC),
    )
    return {"1 generated code": one, "2 pool codes + PINs": two}


def bench_render(count: int) -> None:
    from dataclasses import replace

    from jackpot.vouchers import pdf
    from jackpot.vouchers.codes import generated

    print(
        f"render: {count} PDFs each, one page, one core (wall clock, and CPU time of the process)"
    )
    print(
        f"{'voucher':<22} {'median ms':>9} {'p90 ms':>7} {'CPU ms':>7} {'PDFs/s':>7} {'bytes':>6}"
    )
    for name, sheet in sheets().items():
        pdf.render(sheet)  # warm-up: imports, font metrics
        times, cpu = [], []
        for _ in range(count):
            if len(sheet.codes) == 1:  # a new code each time, as in real life
                line = replace(sheet.codes[0], code=generated.new_generated_code())
                sheet = replace(sheet, codes=(line,))
            started, started_cpu = time.perf_counter(), time.process_time()
            content = pdf.render(sheet)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        times.sort()
        median = statistics.median(times)
        print(
            f"{name:<22} {median * 1000:>9.2f} {times[int(len(times) * 0.9)] * 1000:>7.2f} "
            f"{statistics.mean(cpu) * 1000:>7.2f} {1 / median:>7.0f} {len(content):>6}",
            flush=True,
        )


def bench_jobs(count: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from jackpot.catalog.models import Campaign, Store
    from jackpot.partners import credentials
    from jackpot.vouchers import delivery, lifecycle
    from jackpot.vouchers.models import State, Voucher

    partner, _ = credentials.create_partner(
        "Bench PDF", partner_id=PARTNER, domains=["bench-pdf.example"]
    )
    store = Store.objects.create(
        id=STORE,
        name="Foulée Sport",
        slug=STORE,
        base_color="#007a3d",
        mentions="Valable en ligne et en boutique. Non remboursable.",
        voucher_value_min=Decimal("10"),
        voucher_value_max=Decimal("500"),
    )
    campaign = Campaign.objects.create(
        id=STORE,
        store=store,
        mode="majoration",
        tiers=[{"from": "0", "rate": "0.10"}],
        start=timezone.now() - timedelta(days=1),
    )
    now = timezone.now()
    for n in range(count):
        with transaction.atomic():
            voucher = Voucher.objects.create(
                coupon_id=f"B{RUN}{n:03d}"[:10] if count <= 1000 else f"B{n:09d}",
                partner=partner,
                store=store,
                campaign=campaign,
                offer_id=campaign.id,
                mode="majoration",
                state=State.RESERVED,
                value=Decimal("110.00"),
                price=Decimal("100.00"),
                rate=Decimal("0.10"),
                notification_key=f"bench-{n}",
                reservation_date=now,
                resa_expire_date=now + timedelta(days=2),
                validity_date=now + timedelta(days=365),
            )
            lifecycle.apply(voucher, "confirm", "bench")  # mints the code, queues the PDF job
    started, started_cpu = time.perf_counter(), time.process_time()
    made = 0
    while True:
        done = delivery.process_due_jobs(limit=100)
        if not done:
            break
        made += done
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    ready = Voucher.objects.filter(store_id=STORE, state=State.READY).count()
    print(
        f"jobs: {connection.vendor}, {made} vouchers CONFIRMED → READY in {elapsed:.2f} s: "
        f"{made / elapsed:.0f} a second, {elapsed / max(made, 1) * 1000:.1f} ms each, "
        f"{cpu / max(made, 1) * 1000:.1f} ms of this process's CPU each"
    )
    if ready != count:
        print(f"  only {ready} of {count} READY")


def bench_downloads(count: int) -> None:
    from urllib.parse import urlsplit

    from django.test import Client

    from jackpot.vouchers import links
    from jackpot.vouchers.models import State, Voucher

    ids = list(
        Voucher.objects.filter(store_id=STORE, state=State.READY).values_list("pk", flat=True)
    )
    if not ids:
        print("downloads: no READY voucher (run with --jobs)")
        return
    client = Client()
    paths = [links.path(ids[n % len(ids)]) for n in range(count)]
    client.get(paths[0])  # warm-up: the route's imports
    for label, revalidate in (("200 PDF", False), ("304 If-None-Match", True)):
        times, cpu, sizes = [], [], []
        if revalidate:
            etags = {path: client.get(path).get("ETag") for path in set(paths)}
            if None in etags.values():
                print("downloads: no ETag given (PDFs stored, before 0013): no revalidation")
                return
        for path in paths:
            headers = {"HTTP_IF_NONE_MATCH": etags[path]} if revalidate else {}
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, **headers)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            sizes.append(len(response.content))
            expected = 304 if revalidate else 200
            assert response.status_code == expected, (urlsplit(path).path, response.status_code)
        times.sort()
        print(
            f"downloads {label:<18} median {statistics.median(times) * 1000:6.2f} ms, "
            f"p90 {times[int(len(times) * 0.9)] * 1000:6.2f} ms, "
            f"CPU {statistics.mean(cpu) * 1000:5.2f} ms, {statistics.mean(sizes):6.0f} bytes "
            f"({count} GETs)",
            flush=True,
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=1000, help="PDFs per voucher kind")
    parser.add_argument("--jobs", type=int, default=300, help="vouchers through the worker")
    parser.add_argument("--downloads", type=int, default=300, help="PDF links followed")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    scratch = tempfile.TemporaryDirectory(prefix="jackpot-bench-")
    database_url = args.database_url or f"sqlite:///{Path(scratch.name) / 'bench.sqlite3'}"
    os.environ["JACKPOT_RATE_LIMIT_ANONYMOUS"] = "0"  # every download comes from one address
    django_here(database_url)
    from django.db import connection

    try:
        if args.renders:
            bench_render(args.renders)
        if args.jobs:
            bench_jobs(args.jobs)
        if args.jobs and args.downloads:
            bench_downloads(args.downloads)
    finally:
        connection.close()
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
