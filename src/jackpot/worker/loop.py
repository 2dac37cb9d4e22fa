"""One worker process: deliver webhooks, make vouchers READY and mail them, expire reservations,
prune done work on its schedule (`pruning`); pass after pass until SIGTERM.

SIGTERM ends the process between two steps, never inside one: the webhook POSTs in flight are
finished and recorded (no more are claimed), the PDF or mail job running completes and the jobs
claimed behind it are released, so no lease is left to run out.

The steps are called through their modules (`lifecycle.expire_due`, …), looked up on each pass,
so that a test can stand in for one of them.

Neither queue starves the other: after the webhook step (up to 500 deliveries) the delivery jobs
get as much time as it took, batch after batch of 50 while some are due (`run_jobs`), rather
than one batch a pass. With one batch a pass, a worker whose webhook step took ten seconds made
five jobs a second, however cheap the jobs, and fell behind the confirmations.
"""

import logging
import signal
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from jackpot.core import outages
from jackpot.core.metrics import WORKER_PASS
from jackpot.vouchers import delivery, lifecycle, notification_confirmation
from jackpot.webhooks import delivery as webhook_delivery
from jackpot.worker import heartbeat, pruning

log = logging.getLogger("jackpot.worker")


def run_worker(once: bool = False, interval: float | None = None) -> int:
    """Passes until SIGTERM (or one with `once`); exit code 1 when that one pass met an outage."""
    interval = settings.JACKPOT_WORKER_INTERVAL if interval is None else interval
    stopping = []
    prunes = pruning.Schedule()  # the first pass prunes, then every JACKPOT_PRUNE_INTERVAL
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("worker started (sweep every %ss)", interval)
    client = webhook_delivery.KeptClient()  # connections kept from one pass to the next
    try:
        return _passes(once, interval, stopping, prunes, client)
    finally:
        client.close()


def _passes(once, interval, stopping, prunes, client) -> int:
    """`run_worker`'s passes, with the HTTP client its webhook steps share."""
    while not stopping:
        close_old_connections()
        started = time.perf_counter()
        try:
            expired = lifecycle.expire_due()
            if expired:
                log.info("expired %d reservation(s)", expired)
            # Done work past its retention, in bounded batches (worker/pruning.py).
            prunes.run_due(should_stop=lambda: bool(stopping))
            # Each pass attempts every due delivery once; a 2xx answer to coupon/reserved
            # confirms a notification-mode voucher (the vouchers rule, handed to webhooks).
            webhooks_started = time.monotonic()
            delivered = webhook_delivery.deliver_due(
                on_outcome=notification_confirmation.on_delivery_outcome,
                should_stop=lambda: bool(stopping),
                client=client.get(),
            )
            # Vouchers made READY, and mails, for as long as the webhooks took; on SIGTERM the
            # jobs claimed but not started are released.
            made = run_jobs(time.monotonic() - webhooks_started, lambda: bool(stopping))
            heartbeat.beat()  # what `jackpot check --deploy` reads
        except (OperationalError, InterfaceError) as exc:
            if not outages.is_database_outage(exc):
                raise
            # Every step is transactional and leased: what this pass did not finish is picked
            # up by the next one, once the database is back. Only the connection is dropped.
            log.warning("database unavailable (%s); retrying in %ss", exc, interval)
            connections.close_all()
            delivered = made = 0
            if once:
                return 1
        WORKER_PASS.observe(time.perf_counter() - started)
        if once:
            break
        if delivered or made or prunes.behind:
            continue  # more may be due (a confirmation's coupon/confirmed, old rows): no sleep
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
    log.info("worker stopped")
    return 0


def run_jobs(budget: float, should_stop) -> int:
    """Delivery jobs, a batch at a time, until none is due, the worker is stopping, or `budget`
    seconds went by (checked between batches: at least one batch runs); returns how many
    finished."""
    made, deadline = 0, time.monotonic() + budget
    while True:
        finished = delivery.process_due_jobs(should_stop=should_stop)
        made += finished
        if not finished or should_stop() or time.monotonic() >= deadline:
            return made
