"""Schemathesis over the whole public API (SPEC §9), through the Django WSGI application.

Every operation of /v2/openapi.json is called with generated inputs (schemathesis' examples,
coverage and fuzzing phases; valid and invalid data) carrying *valid* credentials for the
operation, on committed data (`transaction=True`: every request runs in autocommit as in
production). Checks: no server error, and every answer is documented — status code, media type
and body schema.

Generated ids are sometimes swapped for real ones (stores, offers, vouchers in each state, a
fresh reservation, a valid partner JWT or client secret) so that the success paths are
exercised too, not only the 404s.

Known bugs: each one has a deterministic `xfail(strict=True)` test below that reproduces it;
the fuzz test steps over exactly that failure (see `KNOWN_BUGS`) so that it keeps catching new
ones. When a bug is fixed its xfail test starts passing and fails as XPASS(strict): delete the
mark *and* the matching entry of `KNOWN_BUGS`.

Deeper runs: `JACKPOT_FUZZ_EXAMPLES=300 JACKPOT_FUZZ_SEED=7 pytest tests/api/test_schemathesis.py`.
"""

import functools
import hashlib
import json
import os
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from support.reservations import reserve_in_session
from support.tokens import partner_token

SIGNATURE = "fuzz-api-signature-0123456789abcdef0123456789"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

config = schemathesis.Config.from_dict(
    {
        # A fixed seed: the same cases every run, so a failure here is reproducible as is.
        "seed": int(os.environ.get("JACKPOT_FUZZ_SEED", "20260101")),
        "generation": {"max-examples": int(os.environ.get("JACKPOT_FUZZ_EXAMPLES", "20"))},
        "phases": {"stateful": {"enabled": False}},
    }
)
# `jackpot.wsgi` refuses to load without a production SECRET_KEY while the suite runs with the
# development key; this is the same handler (same settings and middleware) without that guard.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", application, config=config)


# --- the world every generated call runs against --------------------------------------------


class World:
    """A manual-confirmation partner with credentials of every kind and vouchers in each state."""

    def __init__(self, partner, other):
        from jackpot.partners import credentials

        self.partner = partner
        self.other = other
        self.apikey = partner.issued.apiKey
        self.client_secret = partner.issued.clientSecret
        self.partner_bearer, _ = credentials.issue_access_token(partner)
        self.vouchers = {"RESERVED": [], "CONFIRMED": [], "CANCELED": []}
        self.foreign = None  # another partner's voucher: never visible to `acme`
        self._store_key = None

    def token(self, signature=SIGNATURE, **claims) -> str:
        """A one-time partner JWT, as the seed's Python sample builds it."""
        return partner_token(signature, **claims)

    def session(self, partner=None):
        from jackpot.tokens import sessions

        partner = partner or self.partner
        token = self.token(signature=partner.issued.apiSignature)
        return sessions.exchange(token, client_id=partner.pk)

    def reserve(self, opened=None):
        return reserve_in_session(opened or self.session())

    def store_key(self) -> str:
        if self._store_key is None:
            from jackpot.catalog.models import Store
            from jackpot.vouchers.codes import merchant

            self._store_key = merchant.issue_store_key(Store.objects.get(pk="sportmax"))
        return self._store_key


@pytest.fixture
def world(make_partner, catalog, settings):
    # Rate limits are not what this test is about (and 429 is undocumented: see below).
    settings.JACKPOT_RATE_LIMIT = 0
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 0
    from jackpot.vouchers import lifecycle

    partner = make_partner("acme", confirmation_mode="manual", api_signature=SIGNATURE)
    other = make_partner("other", domains=["other.example"])
    world = World(partner, other)
    world.foreign = world.reserve(world.session(other))
    for state, action in (("RESERVED", None), ("CONFIRMED", "confirm"), ("CANCELED", "cancel")):
        for _ in range(2):
            voucher = world.reserve()
            if action:
                voucher = lifecycle.transition(voucher.pk, action, "test", partner_id=partner.pk)
            world.vouchers[state].append(voucher)
    return world


def _digest(value) -> int:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=True)
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


OFFERS = {
    "sportmax": ["sportmax-launch"],
    "bookly": ["bookly-min"],
    "mixte": ["mixte-all.majoration", "mixte-all.minoration"],
}


def _real_ids(case, world) -> None:
    """Replace about two generated ids in three with real ones (deterministically)."""
    params = case.path_parameters
    if not params:
        return
    if "store_id" in params and _digest(params["store_id"]) % 3:
        store = sorted(OFFERS)[_digest(params["store_id"]) % 3]
        params["store_id"] = store
        if "offer_id" in params:
            offers = OFFERS[store]
            params["offer_id"] = offers[_digest(params["offer_id"]) % len(offers)]
    if "voucher_id" in params:
        kind = _digest(params["voucher_id"]) % 6
        if kind == 5:
            params["voucher_id"] = str(world.foreign.pk)
        elif kind == 4:
            params["voucher_id"] = str(world.reserve().pk)
        elif kind:
            vouchers = world.vouchers[["RESERVED", "CONFIRMED", "CANCELED"][kind - 1]]
            params["voucher_id"] = str(vouchers[_digest(case.query) % 2].pk)
        if case.operation.path.endswith("/pdf") and kind and isinstance(case.query, dict):
            from jackpot.vouchers import links

            case.query["sig"] = links.signature(params["voucher_id"])


AMOUNTS = {"value": [10, 20, 30, 50, 100, 105], "price": [20, 40, 50, 100, 18, 45, 90, 47]}


def _real_amount(case) -> None:
    """Reservations: an amount the catalogue accepts in about one body in two."""
    body = case.body
    if not isinstance(body, dict) or _digest(body) % 2:
        return
    for field, options in AMOUNTS.items():
        if field in body:
            body[field] = options[_digest(body) % len(options)]


def _real_token_body(case, world) -> None:
    """POST /v2/token: a valid partner JWT or client secret in about two bodies in three."""
    body = case.body
    if not isinstance(body, dict) or not _digest(body) % 3:
        return
    grant = body.get("grant_type", JWT_BEARER)
    if grant == "client_credentials":
        body.update(client_id=world.partner.pk, client_secret=world.client_secret)
    elif grant == JWT_BEARER:
        body.update(client_id=world.partner.pk, assertion=world.token())


def authenticate(case, world) -> None:
    """Valid credentials for the operation: the schemes its `security` names, in turn."""
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in AUTH_HEADERS}
    _real_ids(case, world)
    schemes = [
        name for option in case.operation.definition.raw.get("security", []) for name in option
    ]
    if case.operation.path == "/v2/token":
        _real_token_body(case, world)
    if "/reserve-voucher-by-" in case.operation.path:
        _real_amount(case)
    if schemes:
        scheme = schemes[_digest([case.path_parameters, case.query, case.body]) % len(schemes)]
        if scheme not in CREDENTIALS:
            pytest.fail(f"no credentials for the security scheme {scheme!r}: add it to CREDENTIALS")
        name, value = CREDENTIALS[scheme](case, world)
        headers[name] = value
    case.headers = headers


def _session_credential(case, world):
    opened = world.session()
    if "voucher_id" in (case.path_parameters or {}):  # a session reads the voucher it reserved
        case.path_parameters["voucher_id"] = str(world.reserve(opened).pk)
    return "Authorization", f"Bearer {opened.credential}"


CREDENTIALS = {
    "SessionBearer": _session_credential,
    "PartnerApiKey": lambda case, world: ("apikey", world.apikey),
    "PartnerBearer": lambda case, world: ("Authorization", f"Bearer {world.partner_bearer}"),
    "StoreKey": lambda case, world: ("Authorization", f"Bearer {world.store_key()}"),
}
AUTH_HEADERS = {"authorization", "apikey"}


# --- known bugs: reproduced by the xfail tests below, stepped over by the fuzz test ----------

# (check it excuses or None for all, predicate(case, response), the xfail test tracking it)
KNOWN_BUGS: list = []  # none open; add (check, predicate, xfail test) for a new bug


def excusing_known_bugs(check):
    @functools.wraps(check)
    def run(ctx, response, case):
        for excused, applies, _tracked_by in KNOWN_BUGS:
            if (excused is None or excused is check) and applies(case, response):
                return None
        return check(ctx, response, case)

    return run


def hidden_from_acme(voucher_id: str):
    """A check: another partner's voucher is a 404 to every credential of `acme`."""

    def another_partners_voucher_stays_hidden(ctx, response, case):
        if (
            case.operation.definition.raw.get("security")
            and (case.path_parameters or {}).get("voucher_id") == voucher_id
            and response.status_code < 400
        ):
            raise AssertionError(
                f"{case.operation.label} answered {response.status_code} for another partner's "
                "voucher; expected 404 voucher-not-found"
            )
        return None

    return another_partners_voucher_stays_hidden


CHECKS = [
    excusing_known_bugs(check)
    for check in (
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    )
]


# --- the fuzz test -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_api_conforms_to_its_schema(case, world):
    authenticate(case, world)
    case.call_and_validate(checks=[*CHECKS, hidden_from_acme(str(world.foreign.pk))])


# --- bugs it found, each a deterministic test of its own -------------------------------------


def _documented_statuses(path: str, method: str) -> set[str]:
    return set(schema.raw_schema["paths"][path][method]["responses"])


def test_error_responses_document_the_problem_media_type(client, db):
    response = client.get("/v2/vouchers")  # no apikey: a 401 problem
    assert response.status_code == 401
    served = response["Content-Type"].split(";")[0]
    assert served == "application/problem+json"
    undocumented = [
        f"{method.upper()} {path} → {status}: {sorted(answer.get('content', {}))}"
        for path, item in schema.raw_schema["paths"].items()
        for method, operation in item.items()
        for status, answer in operation["responses"].items()
        if int(status) >= 400 and served not in answer.get("content", {served: None})
    ]
    assert not undocumented, "\n".join(undocumented)


def _unparseable_body(client, partner, settings):
    # curl -X POST -H 'Content-Type: application/json' -d $'\x00' $BASE/v2/token
    return (
        "/v2/token",
        "post",
        client.post("/v2/token", data="\x00", content_type="application/json"),
    )


def _body_over_the_limit(client, partner, settings):
    # Two 8192-character strings, as the schema allows, of a character JSON writes as \u0001:
    # a schema-valid body of 98 KiB, over the 64 KiB limit.
    body = json.dumps({"client_id": "acme", "assertion": "\x01" * 8192, "token": "\x01" * 8192})
    return "/v2/token", "post", client.post("/v2/token", data=body, content_type="application/json")


def _over_the_rate_limit(client, partner, settings):
    settings.JACKPOT_RATE_LIMIT = 1
    for _ in range(2):
        response = client.get("/v2/vouchers", HTTP_APIKEY=partner.issued.apiKey)
    return "/v2/vouchers", "get", response


EDGE_STATUSES = {
    400: ("invalid-characters", _unparseable_body),
    413: ("payload-too-large", _body_over_the_limit),
    429: ("rate-limited", _over_the_rate_limit),
}


@pytest.mark.parametrize("status", list(EDGE_STATUSES))
def test_edge_statuses_are_documented(status, client, partner, settings):
    code, make = EDGE_STATUSES[status]
    path, method, response = make(client, partner, settings)
    assert response.status_code == status and response.json()["code"] == code
    assert str(status) in _documented_statuses(path, method)


def _nul_requests(world):
    """Requests carrying a NUL character to a column: each answers 500 on PostgreSQL."""
    session = f"Bearer {world.session().credential}"
    reserved = world.vouchers["RESERVED"][0].pk
    post_json = {"content_type": "application/json"}
    return {
        "list by notificationKey": ("get", "/v2/vouchers?notificationKey=%00", {}, "apikey"),
        "list by userId": ("get", "/v2/vouchers?userId=a%00b", {}, "apikey"),
        "list by storeId": ("get", "/v2/vouchers?storeId=%00", {}, "apikey"),
        "store vouchers": ("get", "/v2/stores/%00/proposed-vouchers", {}, session),
        "offer": ("get", "/v2/stores/a%00/offers/b%00", {}, session),
        "reserve, offer id": (
            "post",
            "/v2/stores/sportmax/offers/%00/reserve-voucher-by-value",
            {"data": '{"value": 30}', **post_json},
            session,
        ),
        "reserve, customTransactionId": (
            "post",
            "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
            {"data": json.dumps({"value": 30, "customTransactionId": "c\x00"}), **post_json},
            session,
        ),
        "cancel reason": (
            "put",
            f"/v2/voucher/{reserved}/cancel",
            {"data": json.dumps({"reason": "r\x00"}), **post_json},
            "apikey",
        ),
        "token client_id": (
            "post",
            "/v2/token",
            {"data": json.dumps({"client_id": "a\x00", "assertion": world.token()}), **post_json},
            None,
        ),
        "client_credentials client_id": (
            "post",
            "/v2/token",
            {
                "data": json.dumps(
                    {"grant_type": "client_credentials", "client_id": "\x00", "client_secret": "x"}
                ),
                **post_json,
            },
            None,
        ),
        "token iss claim": (
            "post",
            "/v2/token",
            {"data": json.dumps({"assertion": world.token(iss="a\x00")}), **post_json},
            None,
        ),
        "token userId claim": (
            "post",
            "/v2/token",
            {
                "data": json.dumps({"client_id": "acme", "assertion": world.token(userId="u\x00")}),
                **post_json,
            },
            None,
        ),
        "token jti claim": (
            "post",
            "/v2/token",
            {
                "data": json.dumps({"client_id": "acme", "assertion": world.token(jti="j\x00")}),
                **post_json,
            },
            None,
        ),
    }


NUL_CASES = [
    "list by notificationKey",
    "list by userId",
    "list by storeId",
    "store vouchers",
    "offer",
    "reserve, offer id",
    "reserve, customTransactionId",
    "cancel reason",
    "token client_id",
    "client_credentials client_id",
    "token iss claim",
    "token userId claim",
    "token jti claim",
]


@pytest.mark.parametrize("name", NUL_CASES)
def test_nul_characters_are_answered_without_a_server_error(name, world, client):
    method, url, kwargs, credential = _nul_requests(world)[name]
    if credential == "apikey":
        kwargs["HTTP_APIKEY"] = world.apikey
    elif credential:
        kwargs["HTTP_AUTHORIZATION"] = credential
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


# Dates whose conversion to UTC leaves datetime's range: refused as invalid on every database
# (they were a 500 on SQLite, an OverflowError).
DATES_BEYOND_RANGE = [
    "reservedFrom=9999-12-31T23:59:59-01:00",
    "reservedTo=0001-01-01T00:00:00%2B01:00",
]
# UTC offsets beyond PostgreSQL's ±15:59 (found by schemathesis; they were a 500 there): the
# filter is converted to UTC before the database sees it, so they are ordinary dates.
OFFSETS_BEYOND_POSTGRESQL = [
    "reservedFrom=2026-01-01T00:00:00-17:07",
    "reservedTo=" + quote("0153-11-11T22:26:49.3+22:36"),
]


@pytest.mark.parametrize("query", DATES_BEYOND_RANGE)
def test_voucher_list_date_filters_out_of_range_are_422(query, partner, client):
    response = client.get(f"/v2/vouchers?{query}", HTTP_APIKEY=partner.issued.apiKey)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


@pytest.mark.parametrize("query", OFFSETS_BEYOND_POSTGRESQL)
def test_voucher_list_date_filters_with_any_utc_offset_are_answered(query, partner, client):
    response = client.get(f"/v2/vouchers?{query}", HTTP_APIKEY=partner.issued.apiKey)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


def test_a_token_claim_with_a_lone_surrogate_is_a_malformed_token(world, client):
    token = world.token(userId="\ud800")  # PyJWT writes it as the JSON escape "\ud800"
    response = client.post(
        "/v2/token",
        data=json.dumps({"client_id": "acme", "assertion": token}),
        content_type="application/json",
    )
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "malformed-token"
