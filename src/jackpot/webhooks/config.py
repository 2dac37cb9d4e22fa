"""Delivery settings, read from the environment when used (documented in the README).

They are read at use time, not once in settings.py, so a test or a demo can shorten the retry
schedule of a running process's next pass with a plain environment variable.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Seconds to wait after the 1st, 2nd, … failed attempt; the attempt after the last step's wait
# is the last one. 11 attempts over ~27.7 hours before jitter ("about a day", SPEC §8).
DEFAULT_RETRY_SCHEDULE = (5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200)
DEFAULT_TIMEOUT = 15.0  # seconds, per network operation (connect, send, each read)
DEFAULT_LEASE = 60.0  # seconds a claimed delivery stays reserved to the worker that claimed it
DEFAULT_CONCURRENCY = 16  # POSTs in flight at once in one worker
MAX_DELAY = 86400.0  # no wait, Retry-After included, is ever longer than a day
JITTER = 0.2  # each wait is drawn uniformly within ±20 % of its step


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number of seconds") from None
    if not value >= minimum:  # also refuses NaN
        raise ImproperlyConfigured(f"{name} must be at least {minimum}")
    return value


def retry_schedule() -> tuple[float, ...]:
    """`JACKPOT_WEBHOOK_RETRY_SCHEDULE`: comma-separated seconds, e.g. "5,30,120"."""
    raw = os.environ.get("JACKPOT_WEBHOOK_RETRY_SCHEDULE", "").strip()
    if not raw:
        return tuple(float(s) for s in DEFAULT_RETRY_SCHEDULE)
    steps = []
    for part in raw.split(","):
        try:
            step = float(part.strip())
        except ValueError:
            step = float("nan")
        if not 0 <= step <= MAX_DELAY:
            raise ImproperlyConfigured(
                f"JACKPOT_WEBHOOK_RETRY_SCHEDULE={raw!r}: every step must be a number of "
                f"seconds between 0 and {MAX_DELAY:.0f}"
            )
        steps.append(step)
    return tuple(steps)


def timeout() -> float:
    """`JACKPOT_WEBHOOK_TIMEOUT`: seconds before a silent endpoint counts as a failure."""
    return _number("JACKPOT_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT, 0.01)


def lease() -> float:
    """`JACKPOT_WEBHOOK_LEASE`: seconds before a claimed, unrecorded delivery may be re-claimed."""
    return _number("JACKPOT_WEBHOOK_LEASE", DEFAULT_LEASE, 0.1)


def concurrency() -> int:
    """`JACKPOT_WEBHOOK_CONCURRENCY`: POSTs in flight at once per worker (also the batch size)."""
    return int(_number("JACKPOT_WEBHOOK_CONCURRENCY", DEFAULT_CONCURRENCY, 1))


def check() -> None:
    """Read every setting once, so a bad value stops a pass before anything is claimed."""
    retry_schedule()
    timeout()
    lease()
    concurrency()


def production_mode() -> bool:
    """Deliveries to loopback and private addresses are allowed only in demo, debug and tests."""
    return not (settings.DEMO or settings.DEBUG or settings.TESTING)
