"""Probes for a load balancer or an orchestrator: `/healthz` (alive) and `/readyz` (able to serve).

Both sit outside the API (no rate limit, no API edge), are exempt from the HTTPS redirect
(SECURE_REDIRECT_EXEMPT) and touch no session. `/healthz` asks nothing of anybody: a process
that answers is alive, and restarting it because the database is down would not help.
`/readyz` says whether this node should get traffic: the database answers, every migration of
this build is applied (a node started before `jackpot migrate` ran waits), and Redis answers
when REDIS_URL is set. Reading the migration graph costs milliseconds, so the answer is kept
JACKPOT_READY_CACHE_SECONDS per process: a probe every second stays cheap.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from jackpot.core import shared_cache

log = logging.getLogger("jackpot.health")

_lock = threading.Lock()
_kept: tuple[float, list[str]] | None = None  # (when, failing parts)


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    failing = failing_parts()
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing}, status=503)
    return JsonResponse({"status": "ok"})


def failing_parts() -> list[str]:
    """The parts this node cannot serve without, as last checked (at most the cache age ago)."""
    global _kept
    keep = settings.JACKPOT_READY_CACHE_SECONDS
    now = time.monotonic()
    with _lock:
        if _kept is not None and now - _kept[0] < keep:
            return list(_kept[1])
    failing = []
    if not _database_ready():
        failing.append("database")
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache") and not _cache_ready():
        failing.append("redis")
    with _lock:
        _kept = (time.monotonic(), failing)
    return list(failing)


def forget() -> None:
    """Check again at the next probe (tests)."""
    global _kept
    with _lock:
        _kept = None


def _database_ready() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        unapplied = executor.migration_plan(targets)
    except Exception as exc:  # noqa: BLE001 - whatever the database does, the node is not ready
        log.warning("readiness: database not usable (%s)", exc)
        connection.close_if_unusable_or_obsolete()
        return False
    if unapplied:
        log.warning("readiness: %d migration(s) not applied", len(unapplied))
        return False
    return True


def _cache_ready() -> bool:
    try:
        cache.get("jackpot:readyz")
    except shared_cache.UNREACHABLE as exc:
        log.warning("readiness: Redis not reachable (%s)", exc)
        return False
    return True
