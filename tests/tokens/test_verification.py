"""SPEC §2, the partner token: what `verification.verify` accepts and refuses, and why.

Every refusal is a `Problem` with a stable `code` and HTTP status; none of these checks writes
anything (burning is `sessions.exchange`'s job, see test_exchange.py). The verifier of the
backoffice and `jackpot token verify` are specified at the end.
"""

import hashlib
import json
import secrets
from decimal import Decimal

import jwt
import pytest

from jackpot.core.problems import Problem
from jackpot.tokens import sessions, verification
from jackpot.tokens.models import TokenBurn
from support.tokens import (
    NODE_HEADER,
    PHP_HEADER,
    RUBY_HEADER,
    SEED_LIBRARIES,
    b64url,
    b64url_decode,
    handmade,
    seed_claims,
    seed_token,
    unsigned,
    with_payload,
)

pytestmark = pytest.mark.django_db


def refusal(token, **identification) -> Problem:
    """The problem `verify` refuses the token with (client_id defaults to acme)."""
    identification.setdefault("client_id", "acme")
    with pytest.raises(Problem) as caught:
        verification.verify(token, **identification)
    return caught.value


def assert_refused(token, code: str, status: int = 401, **identification) -> Problem:
    problem = refusal(token, **identification)
    assert (problem.code, problem.status) == (code, status), problem.detail
    return problem


def assert_claim_refused(token, field: str) -> Problem:
    problem = assert_refused(token, "invalid-token-claims", 422)
    assert problem.errors[0]["field"] == field, problem.errors
    return problem


# ---------------------------------------------------------------------------------------------
# The seed's samples, byte for byte
# ---------------------------------------------------------------------------------------------


# base64url of each library's default header, as seen in the wild.
HEADER_SEGMENTS = {
    "php-firebase-jwt": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9",
    "ruby-jwt": "eyJhbGciOiJIUzI1NiJ9",
    "node-jsonwebtoken": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    "python-pyjwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
}


@pytest.mark.parametrize("library", SEED_LIBRARIES)
def test_seed_sample_tokens_are_accepted_as_each_library_builds_them(library, acme_signature, now):
    token = seed_token(library, acme_signature, now)
    assert token.split(".")[0] == HEADER_SEGMENTS[library]
    assert b64url_decode(token.split(".")[1]) == (
        b'{"amount":100,"cp":"75000","age":40,"gender":"M","userId":"u-1234",'
        b'"iat":%d,"notificationKey":"12345"}' % now
    )

    verified = verification.verify(token, client_id="acme")

    assert verified.partner.id == "acme"
    assert verified.claims.amount == Decimal("100.00")
    assert verified.claims.notification_key == "12345"
    assert verified.claims.postcode == "75000"
    assert verified.claims.age == 40
    assert verified.claims.gender == "M"
    assert verified.claims.user_id == "u-1234"
    assert verified.claims.iat.timestamp() == now


def test_pyjwt_writes_the_same_bytes_as_the_handmade_node_token(acme_signature, now):
    """Cross-check of the hand-made builder: PyJWT and jsonwebtoken agree byte for byte."""
    assert seed_token("python-pyjwt", acme_signature, now) == seed_token(
        "node-jsonwebtoken", acme_signature, now
    )


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    ("library", "sample_signature"),
    [
        ("php-firebase-jwt", "monApiSignature"),
        ("ruby-jwt", "monApiSignature"),
        ("node-jsonwebtoken", "myApiSignature"),
    ],
)
def test_a_partner_that_kept_the_guides_sample_signature_is_accepted(
    make_partner, library, sample_signature, now
):
    """The guide's own apiSignature strings are short; an operator may still set one."""
    make_partner("seedco", domains=["seedco.example"], api_signature=sample_signature)
    token = seed_token(library, sample_signature, now)

    assert verification.verify(token, client_id="seedco").partner.id == "seedco"


# ---------------------------------------------------------------------------------------------
# Only HS256; the key never comes from the token
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_an_unsigned_alg_none_token_is_refused(partner, now, alg):
    token = unsigned({"alg": alg, "typ": "JWT"}, seed_claims(now))
    assert token.endswith(".")

    assert_refused(token, "unsupported-algorithm")


@pytest.mark.parametrize(
    ("alg", "digestmod"), [("HS512", hashlib.sha512), ("HS384", hashlib.sha384)]
)
def test_another_hmac_algorithm_is_refused_even_when_signed_with_the_right_key(
    acme_signature, now, alg, digestmod
):
    token = handmade({"alg": alg, "typ": "JWT"}, seed_claims(now), acme_signature, digestmod)

    assert_refused(token, "unsupported-algorithm")


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256", "EdDSA"])
def test_asymmetric_algorithms_are_refused(partner, now, alg):
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}))
    token = f"{header}.{b64url(json.dumps(seed_claims(now)))}.{b64url(secrets.token_bytes(256))}"

    assert_refused(token, "unsupported-algorithm")


def test_rs256_header_hmac_signed_with_the_api_signature_is_refused(acme_signature, now):
    """Algorithm confusion: an RS256 header over an HMAC made with the shared secret."""
    token = handmade({"alg": "RS256", "typ": "JWT"}, seed_claims(now), acme_signature)

    assert_refused(token, "unsupported-algorithm")


def test_a_header_without_alg_is_refused(acme_signature, now):
    assert_refused(
        handmade({"typ": "JWT"}, seed_claims(now), acme_signature), "unsupported-algorithm"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("jku", "https://evil.example/.well-known/jwks.json"),
        ("jwk", {"kty": "oct", "k": b64url(b"attacker-chosen-secret")}),
        ("x5u", "https://evil.example/cert.pem"),
        ("x5c", ["MIIB"]),
    ],
)
def test_a_header_that_carries_or_points_to_a_key_is_refused(acme_signature, now, name, value):
    token = handmade({"alg": "HS256", "typ": "JWT", name: value}, seed_claims(now), acme_signature)

    assert_refused(token, "unsupported-header")


# ---------------------------------------------------------------------------------------------
# Signature and shape
# ---------------------------------------------------------------------------------------------


def test_a_payload_changed_after_signing_is_refused(acme_signature, now):
    genuine = handmade(NODE_HEADER, seed_claims(now), acme_signature)
    tampered = with_payload(genuine, seed_claims(now, amount=900))
    assert json.loads(b64url_decode(tampered.split(".")[1]))["amount"] == 900

    assert_refused(tampered, "invalid-signature")


def test_a_header_changed_after_signing_is_refused(acme_signature, now):
    genuine = handmade(RUBY_HEADER, seed_claims(now), acme_signature)
    _, payload, signature = genuine.split(".")
    tampered = f"{b64url(NODE_HEADER)}.{payload}.{signature}"

    assert_refused(tampered, "invalid-signature")


def test_a_token_signed_with_another_key_is_refused(partner, now):
    token = handmade(NODE_HEADER, seed_claims(now), "not-the-api-signature-of-acme-0123456789")

    assert_refused(token, "invalid-signature")


def test_a_truncated_signature_is_refused(acme_signature, now):
    token = handmade(NODE_HEADER, seed_claims(now), acme_signature)

    # 40 characters: canonical base64url of 30 bytes, so it decodes, then fails to match.
    assert_refused(token[:-3], "invalid-signature")


MALFORMED = {
    "malformed-base64": "e.eyJhbW91bnQiOjEwMH0.c2ln",
    "non-json-header": f"{b64url('not json')}.{b64url('{}')}.c2ln",
    "header-not-an-object": f"{b64url(json.dumps(['HS256']))}.{b64url('{}')}.c2ln",
    "non-json-payload": f"{b64url(NODE_HEADER)}.{b64url('amount=100')}.c2ln",
    "payload-not-an-object": f"{b64url(NODE_HEADER)}.{b64url('[100]')}.c2ln",
    "two-segments": f"{b64url(NODE_HEADER)}.{b64url('{}')}",
    "four-segments": f"{b64url(NODE_HEADER)}.{b64url('{}')}.c2ln.c2ln",
    "empty": "",
    "blank": "   ",
    "ten-kilobytes": f"{b64url(NODE_HEADER)}.{'A' * 10240}.c2ln",
    "not-a-jwt": "Bearer jks_something",
}


@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_token_is_refused_as_malformed(partner, token):
    assert_refused(token, "malformed-token")


@pytest.mark.parametrize("claim", ["jti", "sub"])
def test_a_jti_or_sub_that_is_not_a_string_is_malformed(build_token, claim):
    # PyJWT's rule (RFC 7519 says StringOrURI), kept when the token is parsed once.
    assert_refused(build_token(**{claim: 5}), "malformed-token")


def test_a_secret_pyjwt_refuses_as_an_hmac_key_makes_tokens_malformed(make_partner, now):
    # PyJWT will not use something shaped like a public key as an HMAC secret (algorithm
    # confusion); a partner whose apiSignature looks like one gets no token through.
    pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQc=\n-----END PUBLIC KEY-----"
    make_partner("pemco", domains=["pemco.example"], api_signature=pem)
    token = handmade(NODE_HEADER, seed_claims(now), pem)

    assert_refused(token, "malformed-token", client_id="pemco")


# ---------------------------------------------------------------------------------------------
# Time: iat, exp
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Which partner?
# ---------------------------------------------------------------------------------------------


def test_the_iss_claim_names_the_partner_without_client_id(build_token):
    assert verification.verify(build_token(iss="acme")).partner.id == "acme"


def test_the_kid_header_names_the_partner_without_client_id(partner, acme_signature, now):
    token = jwt.encode(seed_claims(now), acme_signature, algorithm="HS256", headers={"kid": "acme"})

    assert verification.verify(token).partner.id == "acme"


def test_client_id_names_the_partner(build_token):
    assert verification.verify(build_token(), client_id="acme").partner.id == "acme"


def test_the_origin_of_a_sub_domain_of_an_authorised_domain_names_the_partner(build_token):
    verified = verification.verify(build_token(), origin="https://shop.acme.example")

    assert verified.partner.id == "acme"


def test_the_origin_of_the_authorised_domain_itself_names_the_partner(build_token):
    verified = verification.verify(build_token(), origin="https://acme.example:8443")

    assert verified.partner.id == "acme"


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "https://evilacme.example", "https://acme.example.evil.example"],
)
def test_an_origin_outside_every_authorised_domain_is_an_unknown_partner(build_token, origin):
    assert_refused(build_token(), "unknown-partner", client_id=None, origin=origin)


def test_a_token_with_no_way_to_tell_the_partner_is_refused(build_token):
    assert_refused(build_token(), "unknown-partner", client_id=None)


def test_an_unknown_client_id_is_an_unknown_partner(build_token):
    assert_refused(build_token(), "unknown-partner", client_id="nobody")


def test_a_disabled_partner_is_an_unknown_partner(partner, build_token):
    partner.enabled = False
    partner.save()

    assert_refused(build_token(), "unknown-partner")


def test_iss_and_client_id_naming_different_partners_is_a_mismatch(build_token):
    assert_refused(build_token(iss="acme"), "partner-mismatch", client_id="other")


def test_kid_and_iss_naming_different_partners_is_a_mismatch(make_partner, acme_signature, now):
    make_partner("beta", domains=["beta.example"])
    token = jwt.encode(
        seed_claims(now, iss="acme"), acme_signature, algorithm="HS256", headers={"kid": "beta"}
    )

    assert_refused(token, "partner-mismatch", client_id=None)


def test_a_token_of_partner_a_presented_as_partner_b_fails_on_b_s_key(make_partner, build_token):
    make_partner("beta", domains=["beta.example"])

    assert_refused(build_token(), "invalid-signature", client_id="beta")


def test_the_origin_cannot_override_a_named_partner(make_partner, build_token):
    """A token naming beta, sent from acme's page, is checked against beta's key."""
    make_partner("beta", domains=["beta.example"])

    assert_refused(
        build_token(), "invalid-signature", client_id="beta", origin="https://shop.acme.example"
    )


# ---------------------------------------------------------------------------------------------
# The verifier: shows everything, burns nothing
# ---------------------------------------------------------------------------------------------


def test_the_verifier_shows_header_claims_signature_and_use(build_token):
    token = build_token(notificationKey="12345")

    report = verification.describe(token, client_id="acme")

    assert report["header"] == {"alg": "HS256", "typ": "JWT"}
    assert report["claims"]["amount"] == 100
    assert report["claims"]["notificationKey"] == "12345"
    assert report["partner"] == "acme"
    assert report["signatureValid"] is True
    assert report["alreadyUsed"] is False
    assert report["valid"] is True
    assert report["problem"] is None


def test_the_verifier_never_burns_and_shows_a_used_token_as_used(build_token):
    token = build_token()

    verification.describe(token, client_id="acme")
    verification.describe(token, client_id="acme")
    assert TokenBurn.objects.count() == 0

    sessions.exchange(token, client_id="acme")
    report = verification.describe(token, client_id="acme")

    assert report["signatureValid"] is True
    assert report["alreadyUsed"] is True
    assert report["valid"] is False
    assert TokenBurn.objects.count() == 1


def test_the_verifier_shows_a_bad_signature_with_its_problem(partner, now):
    token = handmade(PHP_HEADER, seed_claims(now), "some-other-signature-0123456789abcdef")

    report = verification.describe(token, client_id="acme")

    assert report["header"] == {"typ": "JWT", "alg": "HS256"}
    assert report["claims"]["notificationKey"] == "12345"
    assert report["signatureValid"] is False
    assert report["valid"] is False
    assert report["problem"]["code"] == "invalid-signature"


def test_the_verifier_shows_claim_errors_with_a_valid_signature(build_token):
    report = verification.describe(build_token(amount=0), client_id="acme")

    assert report["signatureValid"] is True
    assert report["valid"] is False
    assert report["problem"]["code"] == "invalid-token-claims"


def test_the_verifier_shows_an_alg_none_token_without_accepting_it(partner, now):
    report = verification.describe(unsigned({"alg": "none"}, seed_claims(now)), client_id="acme")

    assert report["header"] == {"alg": "none"}
    assert report["signatureValid"] is False
    assert report["problem"]["code"] == "unsupported-algorithm"


def test_cli_token_verify_exits_0_for_a_good_token_and_prints_the_report(build_token, capsys):
    from jackpot.cli import main

    token = build_token()

    assert main(["token", "verify", token, "--client-id", "acme"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["signatureValid"] is True
    assert report["alreadyUsed"] is False
    assert TokenBurn.objects.count() == 0


def test_cli_token_verify_exits_1_for_a_bad_token(partner, now, capsys):
    from jackpot.cli import main

    token = handmade(NODE_HEADER, seed_claims(now), "some-other-signature-0123456789abcdef")

    assert main(["token", "verify", token, "--client-id", "acme"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["signatureValid"] is False
    assert report["problem"]["code"] == "invalid-signature"
