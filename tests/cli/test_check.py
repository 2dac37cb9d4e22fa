"""`jackpot check --deploy` as an operator runs it before a node takes traffic: every item
printed, exit 0 only when none fails, and the failing ones named."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from jackpot.cli import main
from jackpot.worker import heartbeat
from jackpot.worker.models import Heartbeat

pytestmark = pytest.mark.django_db

REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


@pytest.fixture
def production(settings):
    """What a correctly configured node has: HTTPS behind a proxy, real key, hosts and URL."""
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 64 + "production-key-from-the-environment"
    settings.ALLOWED_HOSTS = ["vouchers.example.com"]
    settings.JACKPOT_PUBLIC_URL = "https://vouchers.example.com"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    heartbeat.beat()
    return settings


def check(capsys, *argv) -> tuple[int, dict[str, str]]:
    code = main(["check", "--deploy", *argv])
    out = capsys.readouterr().out
    items = {}
    for line in out.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "note", "FAIL"):
            items[rest.strip().split(":")[0]] = status
    return code, items


def test_a_production_configuration_passes_with_djangos_expected_warnings_as_notes(
    production, capsys, monkeypatch
):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests
    code, items = check(capsys)

    assert code == 0, items
    assert items["security.W002"] == items["security.W003"] == items["security.W021"] == "note"
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "JACKPOT_PUBLIC_URL", "migrations", "worker"):
        assert items[name] == "ok"
    assert items["REDIS_URL"] == "ok"  # one node: local memory is enough


def test_the_development_defaults_fail_each_by_name(production, settings, capsys):
    settings.SECRET_KEY = settings.INSECURE_SECRET_KEY
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]
    settings.JACKPOT_PUBLIC_URL = "http://127.0.0.1:8000"

    code, items = check(capsys)

    assert code == 1
    assert items["SECRET_KEY"] == items["ALLOWED_HOSTS"] == items["JACKPOT_PUBLIC_URL"] == "FAIL"


@pytest.mark.parametrize(
    "url", ["http://vouchers.example.com", "https://localhost", "https://127.0.0.2:8443"]
)
def test_a_public_url_over_http_or_on_loopback_fails(production, settings, capsys, url):
    settings.JACKPOT_PUBLIC_URL = url

    code, items = check(capsys)

    assert (code, items["JACKPOT_PUBLIC_URL"]) == (1, "FAIL")


def test_allowed_hosts_star_fails(production, settings, capsys):
    settings.ALLOWED_HOSTS = ["*"]

    assert check(capsys)[1]["ALLOWED_HOSTS"] == "FAIL"


def test_several_nodes_without_redis_fail_and_one_node_passes(production, capsys, monkeypatch):
    assert check(capsys, "--nodes", "1")[0] == 0

    code, items = check(capsys, "--nodes", "3")
    assert (code, items["REDIS_URL"]) == (1, "FAIL")

    monkeypatch.setenv("JACKPOT_NODES", "2")  # the same, declared in the environment
    assert check(capsys)[1]["REDIS_URL"] == "FAIL"


def test_several_nodes_with_an_unreachable_redis_fail(production, settings, capsys):
    settings.CACHES = {"default": REDIS_CACHE}
    try:
        code, items = check(capsys, "--nodes", "2")
    finally:
        cache.close()

    assert (code, items["REDIS_URL"]) == (1, "FAIL")


def test_no_recent_worker_pass_fails(production, capsys):
    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))

    code, items = check(capsys)
    assert (code, items["worker"]) == (1, "FAIL")
    assert check(capsys, "--worker-within", "600") == (0, items | {"worker": "ok"})

    Heartbeat.objects.all().delete()
    assert check(capsys)[1]["worker"] == "FAIL"


def test_each_worker_pass_stamps_one_row_per_process(db):
    heartbeat.beat()
    first = Heartbeat.objects.get().seen_at
    heartbeat.beat()

    assert Heartbeat.objects.count() == 1
    assert heartbeat.latest() >= first


def test_without_deploy_only_djangos_checks_and_the_migrations_are_run(db, capsys):
    """The development configuration is fine for `jackpot check`: no key, host or worker asked."""
    assert main(["check"]) == 0
    assert capsys.readouterr().out.splitlines() == ["ok   migrations: all applied"]
