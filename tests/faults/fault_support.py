"""Fault injection for the server tests: a relay to PostgreSQL that can play a restart, `jackpot
serve` as a subprocess, partner flows driven from threads, and what the database must hold after.

The relay is a plain TCP socket relay on 127.0.0.1: the server's DATABASE_URL points at it, so
the test decides when "PostgreSQL" goes away (every connection cut, new ones turned away) and
comes back, without touching the real PostgreSQL that the rest of the suite shares.
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import jwt

RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"
# What each step of a flow answers when it succeeds.
SUCCESS = {"token": 200, "stores": 200, "reserve": 201, "confirm": 200}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- the relay --------------------------------------------------------------------------------


class Relay:
    """Relays 127.0.0.1:`port` to `target`; `down()` plays PostgreSQL going away, `up()` its return.

    Down, every relayed connection is cut (both ends shut) and new ones are turned away at once
    (reset as soon as accepted, as a server starting up or shutting down turns them away); the
    port stays bound, so nothing else can take it meanwhile.
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.relayed = 0  # connections relayed so far
        self.refused = 0  # connections turned away while down
        self._up = True
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def up(self) -> None:
        with self._lock:
            self._up = True

    def down(self) -> int:
        """Cut every connection and refuse new ones; returns how many connections were cut."""
        with self._lock:
            self._up = False
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _shut(sock)
        return len(sockets) // 2

    def close(self) -> None:
        self.down()
        _shut(self._listener)  # wakes the accept() blocked on it

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                up = self._up
            if not up:
                self.refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if not self._up:  # went down meanwhile
                    _reset(client)
                    _shut(upstream)
                    continue
                self._sockets |= {client, upstream}
                self.relayed += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets -= {source, sink}
            _shut(source)
            _shut(sink)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset: the client's next read fails at once."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


# --- the server -------------------------------------------------------------------------------


def postgres_url(settings_dict: dict, host: str | None = None, port: int | None = None) -> str:
    user = settings_dict["USER"] or ""
    if settings_dict.get("PASSWORD"):
        user = f"{user}:{settings_dict['PASSWORD']}"
    host = host or settings_dict["HOST"] or "127.0.0.1"
    port = port or settings_dict["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def server_environment(database_url: str, data_dir: Path) -> dict:
    """Production settings (no test mode), rate limits off, the database the test chose."""
    env = os.environ.copy()
    env.pop("JACKPOT_TEST_DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="jackpot.settings",
        JACKPOT_TESTING="0",
        DATABASE_URL=database_url,
        SECRET_KEY="fault-tests-" + "k" * 48,
        JACKPOT_RATE_LIMIT="0",
        JACKPOT_RATE_LIMIT_ANONYMOUS="0",
        JACKPOT_DATA_DIR=str(data_dir),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


class Server:
    """`jackpot serve` in its own process group (granian's workers included), logging to a file."""

    def __init__(self, env: dict, log_path: Path, port: int | None = None, threads: int = 4):
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.threads = threads
        self.process: subprocess.Popen | None = None
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jackpot.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    "1",
                    "--threads",
                    str(self.threads),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the workers
            )
        wait_until(self._ready, timeout, f"the server on port {self.port}\n{self.log()}", 0.1)

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited ({self.process.returncode}):\n{self.log()}")
        try:
            return httpx.get(f"{self.base_url}/v2/openapi.json", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def workers(self) -> set[int]:
        """The pids of granian's worker processes (children of the main one)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def kill(self) -> None:
        """SIGKILL to the whole process group: no worker gets to finish anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""


# --- the load ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerKeys:
    id: str
    signature: str
    api_key: str
    manual: bool  # confirmed by PUT /v2/voucher/{id}/confirm, not at reservation


@dataclass
class Answer:
    sent: float  # time.monotonic() when the request was sent
    at: float  # when its answer (or the failure) came
    step: str
    status: int | None  # None: no answer at all (connection dropped, reset or refused)
    content_type: str = ""
    code: str = ""
    retry_after: str | None = None
    error: str = ""

    @property
    def success(self) -> bool:
        return self.status == SUCCESS[self.step]

    @property
    def clean_unavailable(self) -> bool:
        """A 503 problem document that tells the client when to come back."""
        return (
            self.status == 503
            and self.content_type == "application/problem+json"
            and self.code == "service-unavailable"
            and (self.retry_after or "").isdigit()
            and int(self.retry_after) > 0
        )

    def __str__(self) -> str:
        return f"{self.step} → {self.status} {self.code} {self.error}".strip()


@dataclass
class Load:
    """Partner flows from threads, each with a fresh token and fresh connections, every answer
    recorded. A flow stops at its first unsuccessful answer and a new one starts."""

    base_url: str
    partner: PartnerKeys
    threads: int = 2
    value: int = 30
    answers: list[Answer] = field(default_factory=list)
    flows_done: list[float] = field(default_factory=list)  # when each complete flow ended
    exchanged: list[str] = field(default_factory=list)  # tokens the server answered 200 for
    vouchers: list[str] = field(default_factory=list)  # ids of the reservations answered 201
    unanswered: list[str] = field(default_factory=list)  # tokens whose exchange got no answer
    in_flight: int = 0  # requests sent and not answered yet
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "Load":
        for n in range(self.threads):
            worker = threading.Thread(target=self._run, name=f"load-{n}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def done_since(self, moment: float) -> int:
        with self._lock:
            return sum(1 for at in self.flows_done if at > moment)

    def answers_between(self, start: float, end: float = float("inf")) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if start <= a.at < end]

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._flow():
                with self._lock:
                    self.flows_done.append(time.monotonic())
            else:
                self._stop.wait(0.1)  # a failed flow waits a little before the next one

    def _token(self) -> str:
        claims = {
            "amount": 100,
            "cp": "75000",
            "age": 40,
            "gender": "M",
            "iat": int(time.time()),
            "notificationKey": f"nk-{uuid.uuid4()}",
        }
        return jwt.encode(claims, self.partner.signature, algorithm="HS256")

    def _call(self, client: httpx.Client, step: str, method: str, path: str, **kwargs):
        with self._lock:
            self.in_flight += 1
        sent = time.monotonic()
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            error = f"{type(exc).__name__}: {exc}"
            answer = Answer(sent, time.monotonic(), step, None, error=error)
            response = None
        else:
            content_type = response.headers.get("content-type", "")
            code = ""
            if content_type == "application/problem+json":
                code = response.json().get("code", "")
            answer = Answer(
                sent,
                time.monotonic(),
                step,
                response.status_code,
                content_type,
                code,
                response.headers.get("retry-after"),
            )
        with self._lock:
            self.answers.append(answer)
            self.in_flight -= 1
        return (response if answer.success else None), answer

    def _flow(self) -> bool:
        with httpx.Client(base_url=self.base_url, timeout=20) as client:
            token = self._token()
            body = {"client_id": self.partner.id, "assertion": token}
            exchanged, answer = self._call(client, "token", "POST", "/v2/token", json=body)
            if exchanged is None:
                if answer.status is None:
                    with self._lock:
                        self.unanswered.append(token)
                return False
            with self._lock:
                self.exchanged.append(token)
            bearer = {"Authorization": f"Bearer {exchanged.json()['access_token']}"}
            if self._call(client, "stores", "GET", "/v2/stores", headers=bearer)[0] is None:
                return False
            reserved, _ = self._call(
                client,
                "reserve",
                "POST",
                RESERVE,
                json={"value": self.value},
                headers={**bearer, "Idempotency-Key": str(uuid.uuid4())},
            )
            if reserved is None:
                return False
            with self._lock:
                self.vouchers.append(reserved.json()["id"])
            if not self.partner.manual:
                return True
            confirmed, _ = self._call(
                client,
                "confirm",
                "PUT",
                f"/v2/voucher/{reserved.json()['id']}/confirm",
                headers={"apikey": self.partner.api_key, "Idempotency-Key": str(uuid.uuid4())},
            )
            return confirmed is not None


def tally(answers: list[Answer]) -> Counter:
    """Answers by kind, for assertion messages: `reserve 201`, `token 503`, `stores dropped`…"""
    return Counter(f"{a.step} {a.status if a.status is not None else 'dropped'}" for a in answers)


# --- what the database must hold ------------------------------------------------------------


def database_problems() -> list[str]:
    """Every broken invariant, named; empty when the database is consistent.

    - A voucher's state agrees with its dates, payment, codes, delivery job and journal.
    - Its notifications: one coupon/reserved, and one coupon/confirmed exactly when confirmed;
      no coupon notification without its voucher (a rolled-back reservation leaves none).
    - The ledger balances: every transaction has entries summing to 0; each wallet payment is
      the one of a PAID voucher, and a PAID voucher has exactly that one; wallets never negative.
    - Each campaign's counters are what its live vouchers took.
    - Each exchanged token opened exactly one session; a session is closed exactly when it
      reserved its voucher.
    - No server error was kept as an Idempotency-Key answer.
    """
    from django.db.models import Count, Sum

    from jackpot.api.models import IdempotencyRecord
    from jackpot.catalog.models import Campaign
    from jackpot.ledger.models import Account, AccountKind, Entry, Transaction, TransactionKind
    from jackpot.partners.models import Partner
    from jackpot.tokens.models import Session, TokenBurn
    from jackpot.vouchers.models import (
        Code,
        CodeState,
        DeliveryJob,
        JobKind,
        PaymentState,
        State,
        Voucher,
        VoucherEvent,
    )
    from jackpot.vouchers.payments import reference as ledger_reference
    from jackpot.webhooks.models import OutboxEvent

    problems: list[str] = []
    vouchers = list(Voucher.objects.all())
    by_id = {str(v.pk): v for v in vouchers}
    confirmed_states = {State.CONFIRMED, State.READY, State.SENT}

    codes = Counter()
    code_values: dict[str, Decimal] = {}
    for voucher_id, state, value in Code.objects.values_list("voucher_id", "state", "value"):
        if voucher_id is None:
            continue
        codes[str(voucher_id)] += 1
        code_values[str(voucher_id)] = code_values.get(str(voucher_id), Decimal(0)) + value
        if state != CodeState.ISSUED:
            problems.append(f"code of voucher {voucher_id} is {state}, not issued")
    pdf_jobs = Counter(
        str(v)
        for v in DeliveryJob.objects.filter(kind=JobKind.PDF).values_list("voucher_id", flat=True)
    )
    journals: dict[str, list[tuple[str, str]]] = {}
    for voucher_id, before, after in VoucherEvent.objects.order_by("at", "id").values_list(
        "voucher_id", "from_state", "to_state"
    ):
        journals.setdefault(str(voucher_id), []).append((before, after))
    payments = {
        str(t.pk): t
        for t in Transaction.objects.filter(kind=TransactionKind.VOUCHER_PAYMENT).prefetch_related(
            "entries__account"
        )
    }

    for v in vouchers:
        name = f"voucher {v.coupon_id} ({v.state})"
        key = str(v.pk)
        confirmed = v.state in confirmed_states
        if v.state not in State.values:
            problems.append(f"{name}: unknown state")
        if confirmed != (v.confirm_date is not None):
            problems.append(f"{name}: confirmDate {v.confirm_date}")
        if (v.state == State.CANCELED) != (v.canceled_date is not None):
            problems.append(f"{name}: canceledDate {v.canceled_date}")
        if (v.state == State.EXPIRED) != (v.expired_date is not None):
            problems.append(f"{name}: expiredDate {v.expired_date}")
        if confirmed:
            if v.payment_state not in (PaymentState.DUE, PaymentState.PAID):
                problems.append(f"{name}: paymentState {v.payment_state!r}")
            if code_values.get(key) != v.value:
                problems.append(f"{name}: codes worth {code_values.get(key)} for {v.value}")
            if pdf_jobs[key] != 1:
                problems.append(f"{name}: {pdf_jobs[key]} PDF jobs")
        else:
            if v.payment_state or v.wallet_operation_id:
                problems.append(f"{name}: payment {v.payment_state!r} {v.wallet_operation_id!r}")
            if codes[key] or pdf_jobs[key]:
                problems.append(f"{name}: {codes[key]} codes, {pdf_jobs[key]} PDF jobs")
        if (v.payment_state == PaymentState.PAID) != bool(v.wallet_operation_id):
            problems.append(f"{name}: {v.payment_state} with operation {v.wallet_operation_id!r}")
        if v.wallet_operation_id:
            payment = payments.get(v.wallet_operation_id)
            legs = {e.account.kind: e.amount for e in payment.entries.all()} if payment else {}
            if payment is None or payment.reference != ledger_reference(v):
                problems.append(f"{name}: no wallet payment {v.wallet_operation_id}")
            elif legs != {AccountKind.PARTNER_WALLET: -v.price, AccountKind.PLATFORM: v.price}:
                problems.append(f"{name}: paid {legs} for a price of {v.price}")
        journal = journals.get(key, [])
        chained = all(a[1] == b[0] for a, b in zip(journal, journal[1:], strict=False))
        if not journal or journal[0] != ("", State.RESERVED) or not chained:
            problems.append(f"{name}: journal {journal}")
        elif journal[-1][1] != v.state:
            problems.append(f"{name}: journal ends in {journal[-1][1]}")
        if v.session_id is None:
            problems.append(f"{name}: no session")

    # Every wallet payment belongs to the PAID voucher that names it.
    paid_by = {v.wallet_operation_id for v in vouchers if v.wallet_operation_id}
    for txn_id, payment in payments.items():
        if txn_id not in paid_by:
            problems.append(f"wallet payment {txn_id} ({payment.reference}) of no voucher")

    # Notifications.
    notified = Counter(
        OutboxEvent.objects.filter(event__startswith="coupon/").values_list(
            "partner_id", "notification_key", "event"
        )
    )
    keys = {(v.partner_id, v.notification_key): v for v in vouchers}
    for (partner_id, key, event), count in notified.items():
        voucher = keys.get((partner_id, key))
        if voucher is None:
            problems.append(f"{event} for {partner_id}/{key}: no such voucher")
            continue
        expected = {
            "coupon/reserved": 1,
            "coupon/confirmed": int(voucher.confirm_date is not None),
        }.get(event, count)
        if count != expected:
            problems.append(f"voucher {voucher.coupon_id}: {count} × {event}")
    for v in vouchers:
        if notified[(v.partner_id, v.notification_key, "coupon/reserved")] == 0:
            problems.append(f"voucher {v.coupon_id}: no coupon/reserved")
        if v.confirm_date and notified[(v.partner_id, v.notification_key, "coupon/confirmed")] == 0:
            problems.append(f"voucher {v.coupon_id}: no coupon/confirmed")

    # The ledger.
    for txn in Transaction.objects.annotate(total=Sum("entries__amount"), legs=Count("entries")):
        if txn.legs < 2 or txn.total != 0:
            problems.append(
                f"transaction {txn.pk} ({txn.kind}): {txn.legs} entries, sum {txn.total}"
            )
    for account in Account.objects.filter(kind=AccountKind.PARTNER_WALLET):
        balance = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        if balance < 0:
            problems.append(f"wallet {account.code} overdrawn: {balance}")

    # Campaign counters: what the vouchers still holding their budget took.
    for campaign in Campaign.objects.all():
        live = [
            v
            for v in vouchers
            if v.campaign_id == campaign.pk and v.state not in (State.CANCELED, State.EXPIRED)
        ]
        bonus = sum((v.value - v.price for v in live), Decimal("0.00"))
        if (campaign.vouchers_issued, campaign.bonus_spent) != (len(live), bonus):
            problems.append(
                f"campaign {campaign.pk}: counters {campaign.vouchers_issued} / "
                f"{campaign.bonus_spent}, vouchers {len(live)} / {bonus}"
            )

    # Tokens and sessions.
    for partner in Partner.objects.all():
        burns = TokenBurn.objects.filter(partner=partner).count()
        sessions = Session.objects.filter(partner=partner).count()
        if burns != sessions:
            problems.append(f"partner {partner.pk}: {burns} tokens burned, {sessions} sessions")
    with_voucher = {v.session_id for v in vouchers}
    for session_id, closed_at in Session.objects.values_list("id", "closed_at"):
        if (closed_at is not None) != (session_id in with_voucher):
            problems.append(
                f"session {session_id}: closed {closed_at}, voucher {session_id in with_voucher}"
            )

    kept_errors = IdempotencyRecord.objects.filter(status_code__gte=500).count()
    if kept_errors:
        problems.append(f"{kept_errors} server errors kept as Idempotency-Key answers")
    if not by_id:
        problems.append("no voucher at all: the load did not run")
    return problems
