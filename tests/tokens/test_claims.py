"""SPEC §2, the partner token's claims: `iat` and `exp` in time (with clock skew), then amount,
notificationKey, cp, age, gender and forceManualConfirm, each refused by its name."""

import json
from decimal import Decimal

import pytest

from jackpot.tokens import verification
from support.tokens import NODE_HEADER, handmade, seed_claims
from support.verification import assert_claim_refused, assert_refused

pytestmark = pytest.mark.django_db


def test_a_token_older_than_the_max_age_is_expired(build_token, now):
    assert_refused(build_token(iat=now - 3601), "token-expired")


def test_the_max_age_is_the_jackpot_token_max_age_setting(build_token, settings, now):
    settings.JACKPOT_TOKEN_MAX_AGE = 60
    assert_refused(build_token(iat=now - 90), "token-expired")
    assert verification.verify(build_token(iat=now - 30), client_id="acme")


def test_a_token_issued_more_than_60_seconds_ahead_is_not_yet_valid(build_token, now):
    assert_refused(build_token(iat=now + 120), "token-not-yet-valid")


def test_a_token_issued_30_seconds_ahead_is_accepted_for_clock_skew(build_token, now):
    verified = verification.verify(build_token(iat=now + 30), client_id="acme")

    assert verified.claims.iat.timestamp() == now + 30


def test_iat_is_required(build_token):
    assert_claim_refused(build_token(iat=None), "iat")


@pytest.mark.parametrize("iat", ["now", "1700000000", True, [1700000000]])
def test_iat_must_be_a_number_of_seconds(build_token, iat):
    assert_claim_refused(build_token(iat=iat), "iat")


def test_an_exp_in_the_past_is_expired(build_token, now):
    assert_refused(build_token(exp=now - 1), "token-expired")


def test_an_exp_in_the_future_is_honoured(build_token, now):
    assert verification.verify(build_token(exp=now + 300), client_id="acme")


@pytest.mark.parametrize(
    ("claim", "raw"), [("iat", "1e400"), ("iat", "NaN"), ("exp", "1e400"), ("nbf", "NaN")]
)
def test_a_non_finite_number_makes_a_malformed_token_not_a_crash(acme_signature, now, claim, raw):
    """1e400 overflows a double to infinity and Python's json reads NaN: neither is a JSON value
    any partner library writes, so the token is malformed."""
    claims = compact_without(seed_claims(now), claim)
    payload = claims[:-1] + f',"{claim}":{raw}}}'

    assert_refused(handmade(NODE_HEADER, payload, acme_signature), "malformed-token")


def test_a_time_claim_that_is_not_a_number_names_the_claim(acme_signature, now):
    claims = compact_without(seed_claims(now), "exp")
    payload = claims[:-1] + ',"exp":"tomorrow"}'

    assert_claim_refused(handmade(NODE_HEADER, payload, acme_signature), "exp")


def test_the_verifier_reports_a_non_finite_iat_as_a_problem(acme_signature, now):
    payload = '{"amount":100,"iat":1e400,"notificationKey":"12345"}'

    report = verification.describe(handmade(NODE_HEADER, payload, acme_signature), client_id="acme")

    assert report["valid"] is False
    assert report["problem"]["code"] == "malformed-token"


def compact_without(claims: dict, name: str) -> str:
    return json.dumps({k: v for k, v in claims.items() if k != name}, separators=(",", ":"))


@pytest.mark.parametrize(
    "amount",
    [None, 0, -5, "abc", True, 10.005, "NaN", "Infinity", [100], {"value": 100}],
    ids=[
        "missing",
        "zero",
        "negative",
        "abc",
        "true",
        "three-decimals",
        "nan",
        "infinity",
        "list",
        "object",
    ],
)
def test_amount_must_be_a_positive_number_with_at_most_two_decimals(build_token, amount):
    assert_claim_refused(build_token(amount=amount), "amount")


@pytest.mark.parametrize("amount", [1e27, 1e30, 10**40, "123456789012345678901234567.5"])
def test_an_amount_too_large_for_money_is_a_claim_error_not_a_crash(build_token, amount):
    # Quantizing such an amount to the cent needs more digits than Decimal's default context
    # has: it raised InvalidOperation, a 500, before the ceiling could refuse it.
    assert_claim_refused(build_token(amount=amount), "amount")


def test_an_amount_with_cents_is_kept_exactly(build_token):
    verified = verification.verify(build_token(amount=19.99), client_id="acme")

    assert verified.claims.amount == Decimal("19.99")
    assert str(verified.claims.amount) == "19.99"


def test_an_amount_above_the_partners_session_ceiling_is_refused(partner, build_token):
    partner.session_ceiling = Decimal("150.00")
    partner.save()

    assert verification.verify(build_token(amount=150), client_id="acme")
    assert_claim_refused(build_token(amount=150.01), "amount")


@pytest.mark.parametrize(
    "key",
    [None, "", "k" * 129, "line\nbreak", 12.5],
    ids=["missing", "empty", "129-chars", "non-printable", "float"],
)
def test_notification_key_is_required_and_1_to_128_printable_characters(build_token, key):
    assert_claim_refused(build_token(notificationKey=key), "notificationKey")


def test_a_128_character_notification_key_is_accepted(build_token):
    verified = verification.verify(build_token(notificationKey="k" * 128), client_id="acme")

    assert verified.claims.notification_key == "k" * 128


@pytest.mark.parametrize("cp", ["75000", "2A004", "2B", "75"])
def test_cp_accepts_a_french_postcode_corsica_included_or_a_department_prefix(build_token, cp):
    assert verification.verify(build_token(cp=cp), client_id="acme").claims.postcode == cp


@pytest.mark.parametrize("cp", ["ABCDE", "750001", "2C004", "75 000"])
def test_cp_refuses_anything_else(build_token, cp):
    assert_claim_refused(build_token(cp=cp), "cp")


@pytest.mark.parametrize("age", [131, -1, 40.5, "forty"])
def test_age_must_be_an_integer_from_0_to_130(build_token, age):
    assert_claim_refused(build_token(age=age), "age")


@pytest.mark.parametrize("age", [0, 130])
def test_age_bounds_are_accepted(build_token, age):
    assert verification.verify(build_token(age=age), client_id="acme").claims.age == age


@pytest.mark.parametrize("gender", ["X", "m", "Male"])
def test_gender_must_be_m_or_f(build_token, gender):
    assert_claim_refused(build_token(gender=gender), "gender")


@pytest.mark.parametrize("value", ["yes", "true", 1])
def test_force_manual_confirm_must_be_a_boolean(build_token, value):
    assert_claim_refused(build_token(forceManualConfirm=value), "forceManualConfirm")


def test_force_manual_confirm_true_is_carried(build_token):
    verified = verification.verify(build_token(forceManualConfirm=True), client_id="acme")

    assert verified.claims.force_manual_confirm is True


# --- the userId rule the personal-data routes share (`claims.is_user_id`) ---------------------


def _accepted_as_claim(user_id: str) -> bool:
    from datetime import UTC, datetime

    from jackpot.core.problems import Problem
    from jackpot.tokens.claims import parse_claims

    now = datetime.now(UTC)
    payload = {"amount": 10, "iat": int(now.timestamp()), "notificationKey": "k", "userId": user_id}
    try:
        return parse_claims(payload, Decimal("1000"), now).user_id == user_id
    except Problem:
        return False


def test_a_user_id_is_what_a_token_may_carry():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from jackpot.tokens.claims import is_user_id

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=140))
    def agree(user_id):
        # The personal-data routes take a non-empty userId exactly when a token may carry it.
        assert is_user_id(user_id) == (user_id != "" and _accepted_as_claim(user_id))

    agree()
