"""Sending one claimed delivery (SPEC §8): the exact body, Standard Webhooks headers, one POST.

Runs in the pass's threads, which touch no database: everything a POST needs travels in its
`Job`. 15 s timeout, redirects not followed, at most 1 KB of the answer read, and in production
mode only to public addresses (see `addresses`). Whatever the network or the receiver does comes
back as a `Response`, never as an exception.
"""

import json
import logging
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
from django.utils import timezone

from jackpot.webhooks import addresses, config, signing
from jackpot.webhooks.models import Attempt

log = logging.getLogger("jackpot.webhooks")


@dataclass(frozen=True)
class Job:
    """A claimed delivery, ready to send: everything the sending thread needs, no ORM object."""

    delivery_id: int
    event_id: str
    event: str
    partner_id: str
    payload: dict
    url: str
    body: str
    secrets: tuple[str, ...]
    number: int  # this attempt's number for the delivery, from 1
    schedule_step: int
    token: uuid.UUID  # the lease this worker holds on the delivery
    request_id: str | None = None  # of the request that wrote the delivery, for the logs
    stored_url: str = ""  # the delivery's URL as stored: `url` is written back only if it moved


@dataclass(frozen=True)
class Response:
    """What one POST gave, or why there was none."""

    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    retry_after: float | None = None
    refused: bool = False


ENVELOPE_ORDER = ("event", "id", "createdAt", "message")


def body_of(payload: dict) -> str:
    """The exact text signed and sent: compact JSON, the envelope's keys in the SPEC's order
    (PostgreSQL's jsonb does not keep the order they were written in)."""
    ordered = {key: payload[key] for key in ENVELOPE_ORDER if key in payload}
    ordered.update((key, value) for key, value in payload.items() if key not in ordered)
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


def make_client(timeout: float | None = None, concurrency: int | None = None) -> httpx.Client:
    """An HTTP client for deliveries: no redirects, no proxy from the environment."""
    timeout = config.timeout() if timeout is None else timeout
    concurrency = concurrency or config.concurrency()
    transport = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency),
        # Headers and body may leave in separate writes; without TCP_NODELAY the body can wait
        # for the receiver's delayed ACK (~40 ms a request, seen in bench/webhooks_bench.py).
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (moment - now).total_seconds())


def _excerpt(response: httpx.Response, deadline: float) -> str:
    """At most 1 KB of the answer: the status already decided the outcome, so a body that
    stalls or breaks off only shortens the excerpt."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= Attempt.EXCERPT_BYTES or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        pass
    return b"".join(chunks)[: Attempt.EXCERPT_BYTES].decode("utf-8", "replace")


def post(client: httpx.Client, job: Job, *, guard: bool, timeout: float) -> Response:
    """POST one job; never raises for anything the network or the receiver does."""
    started_at = timezone.now()
    began = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - began) * 1000)

    try:
        target = addresses.check(job.url, guard=guard)
    except addresses.Refused as exc:
        return Response(started_at, elapsed_ms(), error=str(exc)[:300], refused=True)
    except ValueError as exc:  # a URL urllib cannot parse (stored before validation tightened)
        error = f"refused: invalid notification URL ({exc})"
        return Response(started_at, elapsed_ms(), error=error[:300], refused=True)
    headers = signing.headers(list(job.secrets), job.event_id, job.body)
    if target.host_header:
        headers["host"] = target.host_header
    try:
        with client.stream(
            "POST",
            target.url,
            content=job.body.encode(),
            headers=headers,
            extensions=target.extensions or None,
        ) as answer:
            excerpt = _excerpt(answer, began + timeout)
            code = answer.status_code
            error = ""
            if 300 <= code < 400:
                location = answer.headers.get("location", "")
                error = f"redirect not followed (HTTP {code} to {location or 'nowhere'})"
            elif not 200 <= code < 300:
                error = f"HTTP {code}"
            retry_after = None
            if not 200 <= code < 300:
                retry_after = parse_retry_after(answer.headers.get("retry-after"), started_at)
            return Response(
                started_at, elapsed_ms(), code, error[:300], excerpt, retry_after=retry_after
            )
    except httpx.TimeoutException as exc:
        error = f"timeout after {timeout:g} s ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    except Exception as exc:  # a bug must not kill the pass; it is logged with the attempt
        log.exception("unexpected error delivering %s", job.delivery_id)
        error = f"{type(exc).__name__}: {exc}"
    return Response(started_at, elapsed_ms(), error=error[:300])
