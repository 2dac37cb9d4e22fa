"""Whatever a caller sends, the answer is a success or a 4xx problem, and a refusal writes nothing.

Property tests (hypothesis): arbitrary JSON values in each token claim, arbitrary strings in each
query parameter and cursor, arbitrary JSON bodies on the routes that write. They run on
PostgreSQL too (`.ci/run`), where column lengths and NUL characters are enforced by the server.
"""

import base64
import json
import uuid

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jackpot.ledger.models import Transaction
from jackpot.tokens.models import Session, TokenBurn
from jackpot.vouchers.models import Voucher

SIGNATURE = "test-api-signature-0123456789abcdef0123456789"  # the acme partner's (conftest)

PROBLEM = "application/problem+json"
CLAIMS = [
    "amount",
    "iat",
    "notificationKey",
    "userId",
    "customTransactionId",
    "cp",
    "age",
    "gender",
    "forceManualConfirm",
    "email",
    "exp",
    "nbf",
    "iss",
    "aud",
    "jti",
]
STRING_CLAIMS = ["notificationKey", "userId", "customTransactionId", "email"]
EXAMPLES = settings(
    max_examples=40,
    derandomize=True,  # the same examples every run: a failure in CI reproduces as is
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def written() -> tuple[int, ...]:
    """What a request may change. (An Idempotency-Key keeps a refusal's answer for its replay:
    that record is the refusal, not a change.)"""
    return (
        Session.objects.count(),
        TokenBurn.objects.count(),
        Voucher.objects.count(),
        Transaction.objects.count(),
    )


def assert_success_or_problem(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == PROBLEM
        assert response.json()["code"]


def signed(build_token, claim, value) -> str:
    """A valid token with one claim set to any JSON value, signed as is (PyJWT's `encode`
    refuses some odd values, `iss` not a string for instance; a partner's library may not)."""
    payload = jwt.decode(build_token(), options={"verify_signature": False})
    payload[claim] = value
    return jwt.api_jws.encode(json.dumps(payload).encode(), SIGNATURE, algorithm="HS256")


def exchange(client, token):
    return client.post(
        "/v2/token",
        data=json.dumps({"client_id": "acme", "assertion": token}),
        content_type="application/json",
    )


@EXAMPLES
@given(claim=st.sampled_from(CLAIMS), value=json_values)
def test_any_value_in_any_claim_opens_a_session_or_is_refused_cleanly(
    partner, catalog, client, build_token, claim, value
):
    before = written()
    response = exchange(client, signed(build_token, claim, value))
    assert_success_or_problem(response)
    if response.status_code != 200:
        assert written() == before


@EXAMPLES
@given(
    claim=st.sampled_from(STRING_CLAIMS),
    ending=st.sampled_from(["\n", "\r\n", "\t", "\r", "\x0b"]),
)
def test_string_claims_refuse_a_final_line_break_or_control_character(
    partner, client, build_token, claim, ending
):
    good = {"email": "user@example.com"}.get(claim, "abc-123")
    before = written()
    response = exchange(client, build_token(**{claim: good + ending}))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == claim
    assert written() == before


# Digits Python reads as numbers but the contract does not: other scripts', full width, `_`.
foreign_numbers = st.sampled_from(
    ["١٠٠", "１００", "१००", "100_0", "1_00", "10e1", " 100", "100\n"]
)


@EXAMPLES
@given(claim=st.sampled_from(["amount", "age", "cp"]), text=foreign_numbers)
def test_numbers_are_ascii_digits_only(partner, client, build_token, claim, text):
    before = written()
    response = exchange(client, build_token(**{claim: text}))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == claim
    assert written() == before


LISTS = {
    "/v2/vouchers": [
        "state",
        "paymentState",
        "reservedFrom",
        "reservedTo",
        "notificationKey",
        "userId",
        "storeId",
        "limit",
        "cursor",
    ],
    "/v2/wallet/ledger": ["limit", "cursor"],
    "/v2/statements": ["limit", "cursor"],
}


@EXAMPLES
@given(
    path=st.sampled_from(sorted(LISTS)),
    data=st.data(),
)
def test_any_query_string_lists_or_is_refused_cleanly(partner, client, path, data):
    names = st.sampled_from(LISTS[path] + ["unknown"])
    query = data.draw(st.dictionaries(names, st.text(max_size=60), max_size=4))
    response = client.get(path, query, HTTP_APIKEY=partner.issued.apiKey)
    assert_success_or_problem(response)


def crafted_cursors():
    inner = st.lists(json_values, max_size=3) | json_values
    encoded = inner.map(
        lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=")
    )
    pairs = st.tuples(
        st.sampled_from(
            [
                "0001-01-01T00:00:00+05:00",
                "9999-12-31T23:59:59-05:00",
                "2026-01-01T00:00:00",
                "2026-01-01T00:00:00+00:00",
                "x",
            ]
        ),
        st.integers() | st.text(max_size=40) | st.floats() | st.none(),
    ).map(lambda p: base64.urlsafe_b64encode(json.dumps(list(p)).encode()).decode())
    return st.text(max_size=80) | encoded | pairs


@EXAMPLES
@given(path=st.sampled_from(sorted(LISTS)), cursor=crafted_cursors())
def test_a_crafted_cursor_is_a_422_problem(partner, client, path, cursor):
    response = client.get(path, {"cursor": cursor}, HTTP_APIKEY=partner.issued.apiKey)
    assert_success_or_problem(response)
    if response.json().get("code") == "invalid-characters":  # a NUL, refused at the edge
        assert response.status_code == 400
    elif response.status_code != 200:
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-{}"


@EXAMPLES
@given(
    by=st.sampled_from(["value", "price"]),
    body=json_values
    | st.dictionaries(
        st.sampled_from(["value", "price", "customTransactionId", "extra"]), json_values, max_size=3
    ),
)
def test_any_reservation_body_reserves_or_is_refused_cleanly(
    partner, catalog, client, build_token, by, body
):
    session = exchange(client, build_token()).json()["access_token"]
    before = written()
    response = client.post(
        RESERVE.format(by),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {session}",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert_success_or_problem(response)
    if response.status_code >= 400:
        assert written() == before


@EXAMPLES
@given(
    action=st.sampled_from(["confirm", "cancel", "refund"]),
    body=json_values | st.dictionaries(st.sampled_from(["reason", "extra"]), json_values),
)
def test_any_lifecycle_body_is_answered_cleanly(partner, client, action, body):
    method = client.post if action == "refund" else client.put
    before = written()
    response = method(
        f"/v2/voucher/{uuid.uuid4()}/{action}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_APIKEY=partner.issued.apiKey,
    )
    assert_success_or_problem(response)
    assert response.status_code in (400, 404, 422)  # 400: a NUL, refused at the edge
    assert written() == before


@pytest.mark.parametrize("amount", ["100_0", "١٠٠", "1e2", True, "NaN"])
def test_a_reservation_amount_is_a_plain_number(partner, catalog, client, build_token, amount):
    session = exchange(client, build_token()).json()["access_token"]
    response = client.post(
        RESERVE.format("value"),
        data=json.dumps({"value": amount}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {session}",
    )
    assert response.status_code == 422 and not Voucher.objects.exists()
