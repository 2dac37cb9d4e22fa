"""Partner flows driven from threads against a server under fault, every answer recorded."""

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from support.reservations import RESERVE
from support.tokens import partner_token

# What each step of a flow answers when it succeeds.
SUCCESS = {"token": 200, "stores": 200, "reserve": 201, "confirm": 200}


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
        return partner_token(self.partner.signature, userId=None)

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
