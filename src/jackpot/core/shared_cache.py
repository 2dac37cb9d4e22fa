"""Django's cache where losing it costs precision, never service.

The cache (Redis for a fleet, local memory for one node) holds only what can be rebuilt or
forgotten: rate-limit counters and short-lived copies of database rows. So when it cannot be
reached the API keeps serving: each call here answers its fallback instead of raising, one
warning is logged per outage (not per request), and the cache is left alone for a few seconds
before it is tried again, so an unreachable Redis does not add a connect timeout to every
request. It comes back by itself: the first call that succeeds after the pause ends the outage.
"""

import logging
import threading
import time

from django.core.cache import cache

logger = logging.getLogger("jackpot.cache")

# Seconds during which a failed cache is not asked again.
PAUSE_AFTER_FAILURE = 5.0


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    """What a cache that cannot be reached raises: socket errors, and redis-py's own."""
    try:
        from redis.exceptions import RedisError
    except ImportError:  # local memory only
        return (OSError,)
    return (OSError, RedisError)


UNREACHABLE = _unreachable_errors()


class _Outage:
    """Whether the cache is known to be down, shared by the threads of one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0

    def forget(self) -> None:
        """Back to "reachable" (tests, or after the cache settings change)."""
        with self._lock:
            self.down, self.retry_at = False, 0.0

    def skipping(self) -> bool:
        return self.down and time.monotonic() < self.retry_at

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            first = not self.down
            self.down = True
            self.retry_at = time.monotonic() + PAUSE_AFTER_FAILURE
        if first:
            logger.warning(
                "cache unreachable (%s: %s): rate limits are not counted and cached rows are "
                "read from the database until it is back",
                type(exc).__name__,
                exc,
            )

    def succeeded(self) -> None:
        if self.down:
            with self._lock:
                was_down, self.down = self.down, False
            if was_down:
                logger.warning("cache reachable again: rate limits are counted again")


outage = _Outage()


def _call(operation, fallback):
    if outage.skipping():
        return fallback
    try:
        result = operation()
    except UNREACHABLE as exc:
        outage.failed(exc)
        return fallback
    outage.succeeded()
    return result


def get(key: str, default=None):
    return _call(lambda: cache.get(key, default), default)


def set(key: str, value, timeout: float) -> None:  # noqa: A001 - the cache's own verb
    _call(lambda: cache.set(key, value, timeout), None)


def count(key: str, timeout: float) -> int | None:
    """Add one to a counter that lives `timeout` seconds; None while the cache is unreachable."""

    def increment() -> int:
        if cache.add(key, 1, timeout):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
            return 1

    return _call(increment, None)
