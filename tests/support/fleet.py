"""A fleet on one machine: several `jackpot serve` and `jackpot worker` processes sharing one
PostgreSQL database and one Redis, with a webhook receiver and an SMTP inbox that count what
reaches them (tests/e2e/fleet/).

Servers run in production mode (support.faults.Server); workers in test mode, the only way they
may deliver to a loopback receiver, with the same database and Redis.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx

from support import receivers
from support.faults import Server, free_port, server_environment

# Redis database 12: the tests flush it, nothing else on the machine uses it.
REDIS_URL = os.environ.get("JACKPOT_FLEET_REDIS_URL", "redis://127.0.0.1:6379/12")


def redis_unreachable() -> str | None:
    """Why Redis cannot be used (the reason a test skips with), or None when it answers."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip, with its reason
        return f"needs Redis at {REDIS_URL} ({type(exc).__name__}: {exc})"
    return None


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def node_environment(database_url: str, data_dir: Path, **extra) -> dict:
    """A server node's environment: production settings, the shared database and Redis."""
    env = server_environment(database_url, data_dir)
    env.update(REDIS_URL=REDIS_URL, JACKPOT_CATALOGUE_CACHE_SECONDS="2")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def worker_environment(database_url: str, smtp_port: int, **extra) -> dict:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="jackpot.settings",
        JACKPOT_TESTING="1",  # loopback receivers allowed
        DATABASE_URL=database_url,
        JACKPOT_TEST_DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DEFAULT_FROM_EMAIL="Jackpot <vouchers@jackpot.test>",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Node(Server):
    """A server node; ready as soon as it answers at all (JACKPOT_HTTPS=1 redirects plain HTTP,
    a low anonymous rate limit may answer 429: either way the node serves)."""

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited ({self.process.returncode}):\n{self.log()}")
        try:
            httpx.get(f"{self.base_url}/v2/openapi.json", timeout=2)
        except httpx.TransportError:
            return False
        return True


class Worker:
    """`jackpot worker` as a subprocess logging to a file."""

    def __init__(self, env: dict, log_path: Path):
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jackpot.cli", "worker", "--interval", "0.1"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


class Receiver:
    """A partner's webhook endpoint: answers 200, counts deliveries by their `webhook-id`.

    While `gate` is cleared, every answer waits for it (at most 30 s): the requests stay in
    flight, and so do the worker passes that sent them.
    """

    def __init__(self):
        self.received: Counter = Counter()
        self.waiting = 0  # requests held at the gate right now
        self.gate = threading.Event()
        self.gate.set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.lock:
                    receiver.received[self.headers["webhook-id"]] += 1
                    receiver.waiting += 1
                try:
                    receiver.gate.wait(30)
                finally:
                    with receiver.lock:
                        receiver.waiting -= 1
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = receivers.serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.received)

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


class Inbox:
    """An SMTP server (aiosmtpd) on loopback counting the messages each recipient got."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: Counter = Counter()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        for recipient in envelope.rcpt_tos:
            self.received[recipient.lower()] += 1
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"

    def close(self) -> None:
        self.controller.stop()
