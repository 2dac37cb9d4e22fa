"""`jackpot check --deploy`: what an operator verifies before a node takes traffic.

Django's own deployment checks, plus what Django cannot know about this platform: a real
SECRET_KEY and ALLOWED_HOSTS, a public address partners and users can open, every migration
applied, Redis shared (and answering) when several nodes serve, and a worker passing. Each item
is printed `ok`, `note` (a Django warning that is expected here, with why) or `FAIL`; the exit
code is 0 when nothing failed, 1 otherwise, so a deploy script can stop on it.

`--ledger` adds the books: every running balance equal to the entries it adds up, no wallet ever
overdrawn (`ledger.balances.mismatches`). It reads every entry, so it is asked for, not run on
each deploy.
"""

import ipaddress
import os
from datetime import timedelta
from urllib.parse import urlsplit

# Django deployment warnings that are expected on this platform, and why (docs/deploy.md).
EXPLAINED = {
    "security.W002": "X-Frame-Options is set by jackpot.web.middleware.XFrameOptionsMiddleware, "
    "a subclass of Django's that passes over API calls",
    "security.W003": "CSRF is checked by jackpot.web.middleware.CsrfViewMiddleware, a subclass "
    "of Django's that passes over API calls",
    "security.W021": "joining the browsers' HSTS preload list is the operator's choice",
}

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def django_checks() -> list[tuple[str, str, str]]:
    from django.core import checks

    found = []
    for message in checks.run_checks(include_deployment_checks=True):
        if message.level < checks.WARNING:
            continue
        if message.id in EXPLAINED:
            found.append(("note", message.id, EXPLAINED[message.id]))
        else:
            found.append(("FAIL", message.id, str(message.msg)))
    return found or [("ok", "django", "Django's deployment checks")]


def secret_key() -> tuple[str, str, str]:
    from django.conf import settings

    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
        return ("FAIL", "SECRET_KEY", "the development key: set SECRET_KEY")
    return ("ok", "SECRET_KEY", "set")


def allowed_hosts() -> tuple[str, str, str]:
    from django.conf import settings

    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if "*" in hosts:
        return ("FAIL", "ALLOWED_HOSTS", "'*' accepts any Host header: name the public hosts")
    public = [h for h in hosts if not _is_loopback(h) and h != "testserver"]
    if not public:
        return ("FAIL", "ALLOWED_HOSTS", "only the development default: set the public host")
    return ("ok", "ALLOWED_HOSTS", ", ".join(public))


def public_url() -> tuple[str, str, str]:
    from django.conf import settings

    url = settings.JACKPOT_PUBLIC_URL
    parts = urlsplit(url)
    if parts.scheme != "https":
        return ("FAIL", "JACKPOT_PUBLIC_URL", f"{url} is not https: PDF links would be plain")
    if not parts.hostname or _is_loopback(parts.hostname):
        return ("FAIL", "JACKPOT_PUBLIC_URL", f"{url} is loopback: nobody else can open it")
    return ("ok", "JACKPOT_PUBLIC_URL", url)


def migrations() -> tuple[str, str, str]:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is the finding
        return ("FAIL", "database", f"unreachable: {type(exc).__name__}: {exc}")
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        return ("FAIL", "migrations", f"{len(plan)} not applied ({names}): jackpot migrate")
    return ("ok", "migrations", "all applied")


def redis(nodes: int) -> tuple[str, str, str]:
    """Several nodes must count rate limits in one place: Redis, and it must answer now."""
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"]
    if "redis" not in backend.lower():
        if nodes > 1:
            return ("FAIL", "REDIS_URL", f"{nodes} nodes but no REDIS_URL: limits counted apart")
        return ("ok", "REDIS_URL", "one node: local memory is enough")
    try:
        cache.set("jackpot-check", "1", 10)
        answered = cache.get("jackpot-check") == "1"
    except Exception as exc:  # noqa: BLE001 - redis-py's errors and socket errors alike
        return ("FAIL", "REDIS_URL", f"unreachable: {type(exc).__name__}: {exc}")
    if not answered:
        return ("FAIL", "REDIS_URL", "did not keep a value")
    return ("ok", "REDIS_URL", "reachable")


def worker(within: float) -> tuple[str, str, str]:
    from django.utils import timezone

    from jackpot.worker import heartbeat

    try:
        seen = heartbeat.latest()
    except Exception as exc:  # noqa: BLE001 - reported by `migrations` already, named again
        return ("FAIL", "worker", f"heartbeat unreadable: {type(exc).__name__}")
    if seen is None:
        return ("FAIL", "worker", "no worker pass recorded: start `jackpot worker`")
    age = timezone.now() - seen
    if age > timedelta(seconds=within):
        return ("FAIL", "worker", f"last pass {int(age.total_seconds())}s ago (> {within:g}s)")
    return ("ok", "worker", f"last pass {age.total_seconds():.0f}s ago")


def ledger_books() -> tuple[str, str, str]:
    from jackpot.ledger import balances

    try:
        problems = balances.mismatches()
    except Exception as exc:  # noqa: BLE001 - reported by `migrations` already, named again
        return ("FAIL", "ledger", f"unreadable: {type(exc).__name__}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return ("FAIL", "ledger", "; ".join(problems[:5]) + more)
    return ("ok", "ledger", "every balance is the sum of its entries; no wallet ever overdrawn")


def run_checks(
    deploy: bool, nodes: int, worker_within: float, ledger: bool = False
) -> list[tuple[str, str, str]]:
    books = [ledger_books()] if ledger else []
    return _configuration(deploy, nodes, worker_within) + books


def _configuration(deploy: bool, nodes: int, worker_within: float) -> list[tuple[str, str, str]]:
    from django.core import checks

    if not deploy:
        found = [("FAIL", m.id, str(m.msg)) for m in checks.run_checks() if m.is_serious()]
        return found + [migrations()]
    return [
        *django_checks(),
        secret_key(),
        allowed_hosts(),
        public_url(),
        migrations(),
        redis(nodes),
        worker(worker_within),
    ]


def cmd_check(args) -> int:
    results = run_checks(args.deploy, args.nodes, args.worker_within, args.ledger)
    for status, name, detail in results:
        print(f"{status:<4} {name}: {detail}")
    failed = [name for status, name, _ in results if status == "FAIL"]
    if failed:
        print(f"{len(failed)} failing: {', '.join(failed)}")
        return 1
    return 0


def add_parsers(sub) -> None:
    check = sub.add_parser("check", help="verify the configuration (--deploy: before serving)")
    check.add_argument(
        "--deploy", action="store_true", help="production checks: keys, hosts, Redis, worker"
    )
    check.add_argument(
        "--ledger",
        action="store_true",
        help="also verify the books: running balances against the entries (reads every entry)",
    )
    check.add_argument(
        "--nodes",
        type=int,
        default=int(os.environ.get("JACKPOT_NODES") or 1),
        help="server nodes sharing the database (default: $JACKPOT_NODES, else 1); more than "
        "one requires a reachable REDIS_URL",
    )
    check.add_argument(
        "--worker-within",
        type=float,
        default=60.0,
        help="a worker must have finished a pass this many seconds ago at most (default 60)",
    )
    check.set_defaults(handler=cmd_check)
