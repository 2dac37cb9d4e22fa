"""An unreachable cache never stops the API: limits fail open, one warning per outage."""

import logging

import pytest
import redis

from jackpot.core import shared_cache

VOUCHERS = "/v2/vouchers"


class UnreachableCache:
    """What Django's Redis cache raises when nothing listens on its port."""

    calls = 0

    def _fail(self, *args, **kwargs):
        UnreachableCache.calls += 1
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6390.")

    add = incr = get = set = _fail


@pytest.fixture
def cache_down(monkeypatch):
    UnreachableCache.calls = 0
    monkeypatch.setattr(shared_cache, "cache", UnreachableCache())
    return monkeypatch


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "jackpot.cache"]


def test_calls_are_served_without_counting_while_the_cache_is_unreachable(
    partner, client, cache_down, caplog, settings
):
    settings.JACKPOT_RATE_LIMIT = 2
    responses = [client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5  # the limit fails open
    assert all("RateLimit-Remaining" not in r for r in responses)
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1 and "cache unreachable" in warnings[0]
    assert UnreachableCache.calls == 1  # left alone for a while, not asked on every request


def test_cors_preflights_are_answered_from_the_database_while_the_cache_is_unreachable(
    partner, client, cache_down
):
    response = client.options(
        "/v2/token", HTTP_ORIGIN="https://acme.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://acme.example"


def test_counting_resumes_by_itself_when_the_cache_is_back(
    partner, client, cache_down, caplog, monkeypatch
):
    caplog.set_level(logging.INFO)
    client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey)
    monkeypatch.undo()  # the cache answers again
    monkeypatch.setattr(shared_cache.outage, "retry_at", 0.0)  # the pause is over
    response = client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey)
    assert response.status_code == 200 and "RateLimit-Remaining" in response
    assert [m.split(" (")[0].split(":")[0] for m in cache_warnings(caplog)] == [
        "cache unreachable",
        "cache reachable again",
    ]


def test_other_cache_errors_are_not_taken_for_an_outage(monkeypatch):
    class Buggy:
        def get(self, *args, **kwargs):
            raise TypeError("a bug, not an outage")

    monkeypatch.setattr(shared_cache, "cache", Buggy())
    with pytest.raises(TypeError):
        shared_cache.get("key")
