"""A real HTTP receiver for webhook tests: a threading server on 127.0.0.1, recording requests."""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from jackpot.webhooks import outbox
from jackpot.webhooks.delivery import deliver_due
from support import receivers


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def query(self) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def verify(self, secret: str) -> dict:
        """Check the signature exactly as a partner would, with standardwebhooks' verifier."""
        return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    """Answers scripted responses in order, then `default`; sleeps `delay` before answering."""

    def __init__(self):
        self.requests: list[Received] = []
        self.script: deque = deque()
        self.default = (200, {}, b"ok")
        self.delay = 0.0
        self.gate: threading.Event | None = None  # when set, answers wait for the event
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    receiver.requests.append(Received(self.path, headers, body))
                    status, extra, answer = (
                        receiver.script.popleft() if receiver.script else receiver.default
                    )
                if receiver.gate is not None:
                    receiver.gate.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = receivers.serve(Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.base}/hooks"

    def answer(self, *responses):
        """Queue responses: a status, or (status, headers) or (status, headers, body)."""
        for response in responses:
            if isinstance(response, int):
                response = (response,)
            status, headers, body = (tuple(response) + ({}, b""))[:3]
            self.script.append((status, headers, body))

    def ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    if server.gate is not None:
        server.gate.set()
    server.close()


@pytest.fixture
def other_receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hooked_partner(make_partner, receiver):
    """Partner acme, auto confirmation, notifications to the receiver."""
    return make_partner("acme", notification_url=receiver.url)


def write_event(partner, n: int = 0, event: str = "store/update", key: str | None = None):
    """Write one notification as a service would: inside a transaction."""
    with transaction.atomic():
        return outbox.enqueue(
            partner,
            event,
            store_id="sportmax",
            data={"id": "sportmax", "n": n},
            notification_key=key,
        )


@pytest.fixture
def store_event(db):
    return write_event


@pytest.fixture
def failed_twice(make_partner, receiver, store_event, monkeypatch):
    """Partners acme and other, each with one delivery that failed for good (the receiver
    answers 500, no retry is scheduled); returns acme."""
    monkeypatch.setenv("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "0")
    acme = make_partner("acme", notification_url=receiver.url)
    other = make_partner("other", notification_url=receiver.url)
    receiver.default = (500, {}, b"")
    store_event(acme)
    store_event(other)
    deliver_due()
    deliver_due()
    return acme
