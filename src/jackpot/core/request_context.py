"""The request being served, as far as the layers below the web need to know: its id.

The web middleware sets it for the length of a request; the outbox rows the request writes
(webhook envelopes and deliveries, PDF and mail jobs) carry it, so an operator can follow one
request from its log line to what the worker did about it later. Outside a request it is None.
"""

import uuid
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("jackpot_request_id", default=None)

MAX_LENGTH = 128


def accepted_id(incoming: str | None) -> str:
    """An incoming `X-Request-Id` when it is 1–128 printable ASCII characters, else a new one."""
    if incoming and len(incoming) <= MAX_LENGTH and incoming.isascii() and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex


def current() -> str | None:
    return request_id.get()
