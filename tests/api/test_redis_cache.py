"""Rate limits counted in a real Redis, as a fleet of servers shares them (REDIS_URL).

Runs against the Redis on 127.0.0.1:6379 (database 13, emptied before and after; another with
`JACKPOT_TEST_REDIS_URL`); `.ci/run` starts one when none is up. The outage test runs a Redis of
its own on a free port, stops it and starts it again.
"""

import logging
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import redis

from jackpot.core import shared_cache

REDIS_URL = os.environ.get("JACKPOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
VOUCHERS = "/v2/vouchers"


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "jackpot",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def shared_redis(settings):
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (.ci/run starts one)")
    server.flushdb()
    settings.CACHES = redis_cache(REDIS_URL)
    yield server
    server.flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """A redis-server of the test's own, which it may stop and start again on the same port."""

    def __init__(self, port: int):
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def own_redis(settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisProcess(free_port())
    server.start()
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{server.port}/0")
    yield server
    if server.process.poll() is None:
        server.stop()


def test_counters_live_in_redis_and_are_shared(partner, client, settings, shared_redis):
    settings.JACKPOT_RATE_LIMIT = 3
    statuses = [
        client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    counters = shared_redis.keys("jackpot:*:jackpot:rl:*")
    assert len(counters) == 1 and int(shared_redis.get(counters[0])) == 4
    # Another server process sees the same counter: forget this process's connections.
    from django.core.cache import caches

    caches["default"].close()
    assert client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey).status_code == 429


def test_redis_going_away_and_coming_back(
    partner, client, settings, own_redis, caplog, monkeypatch
):
    settings.JACKPOT_RATE_LIMIT = 100
    monkeypatch.setattr(shared_cache, "PAUSE_AFTER_FAILURE", 0.2)
    caplog.set_level(logging.INFO)

    def call():
        return client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey)

    assert call()["RateLimit-Remaining"] == "99"
    own_redis.stop()
    during = [call() for _ in range(5)]
    assert [r.status_code for r in during] == [200] * 5
    assert all("RateLimit-Remaining" not in r for r in during)

    own_redis.start()  # an empty Redis: the counter starts again
    deadline = time.monotonic() + 10
    while "RateLimit-Remaining" not in (response := call()):
        assert time.monotonic() < deadline, "counting did not resume"
        time.sleep(0.05)
    assert response.status_code == 200 and response["RateLimit-Remaining"] == "99"
    warnings = [r.getMessage() for r in caplog.records if r.name == "jackpot.cache"]
    assert len(warnings) == 2
    assert warnings[0].startswith("cache unreachable") and warnings[1].startswith("cache reachable")


def test_an_unreachable_redis_from_the_start_does_not_stop_the_api(partner, client, settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    token = client.post("/v2/token", data="{}", content_type="application/json")
    assert token.status_code == 422  # refused for its body, not a 500
    preflight = client.options(
        "/v2/token", HTTP_ORIGIN="https://acme.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"]
    assert client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey).status_code == 200


def test_redis_url_configures_the_shared_cache(shared_redis):
    """REDIS_URL as the README documents it: Django's Redis cache, with its client installed."""
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from jackpot.core import shared_cache\n"
        "print(settings.CACHES['default']['BACKEND'])\n"
        "print(shared_cache.count('jackpot:probe', 5), shared_cache.count('jackpot:probe', 5))\n"
    )
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "jackpot.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "1", "2"]
