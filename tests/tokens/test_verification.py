"""SPEC §2, the partner token: the seed's samples accepted byte for byte, only HS256 with the
partner's key (never one the token names), and a signature and shape that must hold.

Every refusal is a `Problem` with a stable `code` and HTTP status; none of these checks writes
anything (burning is `sessions.exchange`'s job, see test_exchange.py).
"""

import hashlib
import json
import secrets
from decimal import Decimal

import pytest

from jackpot.tokens import verification
from support.tokens import (
    NODE_HEADER,
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
from support.verification import assert_refused

pytestmark = pytest.mark.django_db


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
