"""Webhook deliveries per second for one worker, to a receiver on loopback.

    .venv/bin/python bench/webhooks_bench.py                       # SQLite file in a temp dir
    .venv/bin/python bench/webhooks_bench.py --events 2000 --concurrency 1,8,16 --delay-ms 0,20
    .venv/bin/python bench/webhooks_bench.py --database-url postgres://postgres@127.0.0.1/scratch

Writes N events for one partner, then drains them with the worker's own delivery pass
(`webhooks.delivery.deliver_due`, what `jackpot worker` calls) until none is pending, and prints
deliveries per second, the median POST time and the worker's CPU time per delivery (threads
included; a fairer figure than wall time on a loaded machine). The receiver runs in a separate
process (a threading HTTP server answering 200, optionally after a delay) so it does not share
the worker's interpreter. Every run is bounded: it stops when the events are delivered (or after
--max-seconds).

With --database-url the database must be a scratch one: it is migrated and the bench partner's
rows are deleted before and after.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve(port_pipe, delay: float) -> None:
    """The receiver: answer every POST with 200, after `delay` seconds."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length") or 0))
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 512

        def handle_error(self, request, client_address):
            pass  # keep-alive connections the client closes while idle

    server = Server(("127.0.0.1", 0), Handler)
    port_pipe.send(server.server_address[1])
    server.serve_forever()


def start_receiver(delay: float) -> tuple[multiprocessing.Process, str]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=serve, args=(child, delay), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{parent.recv()}/hooks"


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "jackpot.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["JACKPOT_TESTING"] = "0"
    os.environ["JACKPOT_DEMO"] = "1"  # loopback receivers are allowed in demo mode only
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def reset_partner(url: str):
    from jackpot.partners import credentials
    from jackpot.partners.models import Partner

    Partner.objects.filter(pk="bench-webhooks").delete()
    partner, _ = credentials.create_partner(
        "Bench webhooks", partner_id="bench-webhooks", domains=["bench-webhooks.example"]
    )
    partner.notification_url = url
    partner.save(update_fields=["notification_url"])
    return partner


def write_events(partner, count: int) -> None:
    from django.db import transaction

    from jackpot.webhooks import outbox

    for start in range(0, count, 500):
        with transaction.atomic():
            for n in range(start, min(count, start + 500)):
                outbox.enqueue(
                    partner,
                    "store/update",
                    store_id="bench",
                    data={"id": "bench", "n": n, "name": "A store with a name"},
                    notification_key=f"nk-{n}",
                )


def run(partner, count: int, concurrency: int, max_seconds: float) -> dict:
    from django.db.models import Count

    from jackpot.webhooks.delivery import deliver_due
    from jackpot.webhooks.models import Attempt, Delivery

    os.environ["JACKPOT_WEBHOOK_CONCURRENCY"] = str(concurrency)
    write_events(partner, count)
    began = time.perf_counter()
    cpu_began = time.process_time()
    deadline = began + max_seconds
    while time.perf_counter() < deadline:
        if not deliver_due(limit=count):
            break
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    statuses = dict(
        Delivery.objects.filter(partner=partner)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    durations = list(
        Attempt.objects.filter(delivery__partner=partner).values_list("duration_ms", flat=True)
    )
    delivered = statuses.get("delivered", 0)
    return {
        "delivered": delivered,
        "statuses": statuses,
        "seconds": elapsed,
        "per_second": delivered / elapsed if elapsed else 0.0,
        "cpu_ms": cpu * 1000 / delivered if delivered else 0.0,
        "post_ms_median": statistics.median(durations) if durations else 0,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,8,16", help="POSTs in flight, comma list")
    parser.add_argument("--delay-ms", default="0,20", help="receiver answer delay, comma list")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per run")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    scratch = tempfile.TemporaryDirectory(prefix="jackpot-bench-")
    database_url = args.database_url or f"sqlite:///{Path(scratch.name) / 'bench.sqlite3'}"
    setup_django(database_url)
    from django.db import connection

    print(f"database: {connection.vendor}, events per run: {args.events}, one worker")
    print(
        f"{'delay':>7} {'concurrency':>11} {'delivered':>9} {'seconds':>8} {'per s':>7} "
        f"{'POST ms':>8} {'CPU ms':>7}"
    )
    try:
        for delay_ms in (float(d) for d in args.delay_ms.split(",")):
            receiver, url = start_receiver(delay_ms / 1000)
            try:
                for concurrency in (int(c) for c in args.concurrency.split(",")):
                    partner = reset_partner(url)
                    result = run(partner, args.events, concurrency, args.max_seconds)
                    print(
                        f"{delay_ms:>5.0f}ms {concurrency:>11} {result['delivered']:>9} "
                        f"{result['seconds']:>8.2f} {result['per_second']:>7.0f} "
                        f"{result['post_ms_median']:>8.0f} {result['cpu_ms']:>7.2f}",
                        flush=True,
                    )
                    if result["delivered"] != args.events:
                        print(f"  not all delivered: {result['statuses']}")
            finally:
                receiver.terminate()
    finally:
        from jackpot.partners.models import Partner

        Partner.objects.filter(pk="bench-webhooks").delete()
        connection.close()
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
