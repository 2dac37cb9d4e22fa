"""The load of bench/fault_pg_restart.py: threads running the partner flow (token exchange,
stores, a reservation that confirms), each flow with a fresh token and a fresh connection, and
every answer kept with its time and whether it was clean (a success, or a 503 problem document
with Retry-After)."""

import threading
import time
import uuid
from dataclasses import dataclass

import httpx
import jwt

RESERVE = "/v2/stores/bench-sport/offers/bench-sport-launch/reserve-voucher-by-value"
SUCCESS = {"token": 200, "stores": 200, "reserve": 201}


@dataclass
class Answer:
    sent: float
    at: float
    step: str
    status: int | None  # None: dropped (no answer)
    clean: bool  # a success, or a 503 problem document with Retry-After

    @property
    def success(self) -> bool:
        return self.status == SUCCESS[self.step]


class Load:
    def __init__(self, base_url: str, partner: dict, threads: int):
        self.base_url = base_url
        self.partner = partner
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def run(self) -> None:
        while not self.stopping.is_set():
            if not self.flow():
                self.stopping.wait(0.1)

    def call(self, client: httpx.Client, step: str, method: str, path: str, **kwargs):
        sent = time.monotonic()
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError:
            response = None
        status = response.status_code if response is not None else None
        clean = status == SUCCESS[step] or (
            status == 503
            and response.headers.get("content-type") == "application/problem+json"
            and response.json().get("code") == "service-unavailable"
            and response.headers.get("retry-after", "").isdigit()
        )
        answer = Answer(sent, time.monotonic(), step, status, clean)
        with self.lock:
            self.answers.append(answer)
        return response if answer.success else None

    def flow(self) -> bool:
        claims = {
            "amount": 100,
            "cp": "75000",
            "age": 40,
            "gender": "M",
            "iat": int(time.time()),
            "notificationKey": f"nk-{uuid.uuid4()}",
        }
        token = jwt.encode(claims, self.partner["apiSignature"], algorithm="HS256")
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            body = {"client_id": self.partner["id"], "assertion": token}
            exchanged = self.call(client, "token", "POST", "/v2/token", json=body)
            if exchanged is None:
                return False
            bearer = {"Authorization": f"Bearer {exchanged.json()['access_token']}"}
            if self.call(client, "stores", "GET", "/v2/stores", headers=bearer) is None:
                return False
            headers = {**bearer, "Idempotency-Key": str(uuid.uuid4())}
            reserved = self.call(
                client, "reserve", "POST", RESERVE, json={"value": 30}, headers=headers
            )
            return reserved is not None
