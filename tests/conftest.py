"""Shared fixtures: a partner with known credentials, a small catalogue, token builders.

Helpers a test imports live in tests/support/ (importable: pyproject's `pythonpath`); the
fixtures of support/browser.py (one Chromium for the whole run) and support/partners.py (the
portal's and the operator's `acme`) are registered here.
"""

import os

os.environ.setdefault("JACKPOT_TESTING", "1")

import pytest  # noqa: E402

from jackpot.partners import credentials  # noqa: E402
from support.tokens import SIGNATURE, partner_token  # noqa: E402

pytest_plugins = ["support.browser", "support.partners"]

# The live server's listen backlog (10 by default) resets connections when the concurrency tests
# fire 25 requests at once; a real deployment sits behind granian's 2048.
from django.core.servers.basehttp import ThreadedWSGIServer  # noqa: E402

ThreadedWSGIServer.request_queue_size = 256


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks and concurrent connections."""
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(
                pytest.mark.skipif(
                    not os.environ.get("JACKPOT_TEST_DATABASE_URL"),
                    reason="needs PostgreSQL: set JACKPOT_TEST_DATABASE_URL (.ci/run does)",
                )
            )


@pytest.fixture
def make_partner(db):
    def make(partner_id="acme", **kwargs):
        kwargs.setdefault("domains", [f"{partner_id}.example"])  # a domain is one partner's
        kwargs.setdefault("api_signature", SIGNATURE if partner_id == "acme" else None)
        partner, issued = credentials.create_partner(
            kwargs.pop("name", partner_id.title()), partner_id=partner_id, **kwargs
        )
        partner.issued = issued
        return partner

    return make


@pytest.fixture
def partner(make_partner):
    return make_partner()


@pytest.fixture
def build_token():
    """Build a partner token the way the seed's Python (PyJWT) sample would."""
    return partner_token


SMALL_CATALOG = {
    "stores": [
        {
            "id": "sportmax",
            "name": "SportMax",
            "baseColor": "#0a5",
            "validityMonths": 12,
            "voucherValueMin": 10,
            "voucherValueMax": 500,
            "voucherValueStep": 1,
            "codeSource": "generated",
            "campaigns": [
                {
                    "id": "sportmax-launch",
                    "mode": "majoration",
                    "tiers": [
                        {"from": 0, "rate": "0.05"},
                        {"from": 50, "rate": "0.08"},
                        {"from": 100, "rate": "0.10"},
                    ],
                    "start": "2026-01-01T00:00:00Z",
                    "end": None,
                    "rounding": "cent",
                    "targeting": {
                        "postcodes": ["75", "92"],
                        "ageMin": 18,
                        "ageMax": None,
                        "gender": None,
                    },
                    "budget": "1000.00",
                    "maxVouchers": None,
                }
            ],
        },
        {
            "id": "bookly",
            "name": "Bookly",
            "baseColor": "#335577",
            "validityMonths": 6,
            "voucherPossibleDiscreteValues": [10, 20, 50, 100],
            "campaigns": [
                {
                    "id": "bookly-min",
                    "mode": "minoration",
                    "tiers": [{"from": 0, "rate": "0.10"}],
                    "start": "2026-01-01T00:00:00Z",
                }
            ],
        },
        {
            "id": "mixte",
            "name": "Mixte Market",
            "baseColor": "#aa3300",
            "voucherValueMin": 5,
            "voucherValueMax": 200,
            "voucherValueStep": 5,
            "campaigns": [
                {
                    "id": "mixte-all",
                    "mode": "mixed",
                    "tiers": [{"from": 0, "rate": "0.06"}],
                    "start": "2026-01-01T00:00:00Z",
                }
            ],
        },
    ]
}


@pytest.fixture
def catalog_data():
    """The small catalogue as a file would hold it, not imported: a copy each test may change."""
    import copy

    return copy.deepcopy(SMALL_CATALOG)


@pytest.fixture
def catalog(db):
    """Three stores: tiered majoration targeted at Paris adults, discrete minoration, mixed."""
    from jackpot.vouchers import catalogue_import

    catalogue_import.import_catalog(SMALL_CATALOG)
    return SMALL_CATALOG


@pytest.fixture
def api_client(client):
    """Django's test client with JSON helpers returning (status, body)."""
    import json

    class Api:
        def __init__(self):
            self.raw = client

        def call(self, method, path, body=None, **headers):
            extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
            kwargs = {"content_type": "application/json", **extra}
            if body is not None:
                kwargs["data"] = json.dumps(body)
            response = getattr(client, method)(path, **kwargs)
            try:
                data = response.json()
            except ValueError:
                data = response.content
            return response.status_code, data

        def exchange(self, token, **body):
            return self.call("post", "/v2/token", {"client_id": "acme", "assertion": token, **body})

        def session(self, token):
            status, body = self.exchange(token)
            assert status == 200, body
            return body["access_token"]

        def get(self, path, bearer=None, **headers):
            if bearer:
                headers["authorization"] = f"Bearer {bearer}"
            return self.call("get", path, **headers)

        def post(self, path, body=None, bearer=None, **headers):
            if bearer:
                headers["authorization"] = f"Bearer {bearer}"
            return self.call("post", path, body, **headers)

        def put(self, path, body=None, **headers):
            return self.call("put", path, body, **headers)

    return Api()


@pytest.fixture
def keep_sigterm_handler():
    """The worker installs its own SIGTERM handler; give the test process its own back."""
    import signal

    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached lookups never leak from one test into another."""
    from django.core.cache import cache

    from jackpot.catalog import snapshot
    from jackpot.core import shared_cache

    cache.clear()
    snapshot.forget()
    shared_cache.outage.forget()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a page requested with the test client runs in
    the test's thread, where LocaleMiddleware activates the reader's language and leaves it."""
    from django.utils import translation

    yield
    translation.deactivate()
