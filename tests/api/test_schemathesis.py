"""Schemathesis over the whole public API (SPEC §9), through the Django WSGI application.

Every operation of /v2/openapi.json is called with generated inputs (schemathesis' examples,
coverage and fuzzing phases; valid and invalid data) carrying *valid* credentials for the
operation, on committed data (`transaction=True`: every request runs in autocommit as in
production). Checks: no server error, and every answer is documented — status code, media type
and body schema.

Generated ids are sometimes swapped for real ones (stores, offers, vouchers in each state, a
fresh reservation, a valid partner JWT or client secret) so that the success paths are
exercised too, not only the 404s.

Known bugs: each one has a deterministic `xfail(strict=True)` test in test_schema_findings.py;
the fuzz test steps over exactly that failure (see `KNOWN_BUGS`) so that it keeps catching new
ones. When a bug is fixed its xfail test starts passing and fails as XPASS(strict): delete the
mark *and* the matching entry of `KNOWN_BUGS`.

Deeper runs: `JACKPOT_FUZZ_EXAMPLES=300 JACKPOT_FUZZ_SEED=7 pytest tests/api/test_schemathesis.py`.
"""

import functools
import hashlib
import json

import hypothesis
import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from support.fuzz import schema

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


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


# Known bugs, stepped over by the fuzz test (their xfail tests go in test_schema_findings.py):
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


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_api_conforms_to_its_schema(case, world):
    authenticate(case, world)
    case.call_and_validate(checks=[*CHECKS, hidden_from_acme(str(world.foreign.pk))])
