"""SPEC §2–§3 over HTTP: `POST /v2/token` exchanges a partner token for a session: the seed's
samples, the partner named or told by origin, signatures during a rotation.

Refusals are RFC 9457 problem documents with a stable `code`; a bad token is never a 500.
"""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

import jwt
import pytest

from jackpot.partners import credentials
from jackpot.tokens.models import Session, TokenBurn
from support.tokens import (
    NODE_HEADER,
    SEED_LIBRARIES,
    assert_opened,
    b64url,
    handmade,
    seed_claims,
    seed_token,
    unsigned,
    with_payload,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("library", SEED_LIBRARIES)
def test_seed_sample_tokens_are_exchanged_for_a_session(library, post_token, acme_signature, now):
    response = post_token(seed_token(library, acme_signature, now), client_id="acme")

    body = assert_opened(response)
    assert body["expires_in"] == 3600
    assert body["session"]["amount"] == 100
    assert body["session"]["partnerId"] == "acme"
    assert body["session"]["notificationKey"] == "12345"
    assert body["session"]["userId"] == "u-1234"
    assert body["session"]["currency"] == "EUR"


def test_the_widget_form_sends_the_token_as_token_without_client_id(post_token, build_token):
    response = post_token(
        build_token(), client_id=None, field="token", origin="https://shop.acme.example"
    )

    assert assert_opened(response)["session"]["partnerId"] == "acme"


def test_the_explicit_jwt_bearer_grant_is_accepted(post_token, build_token):
    response = post_token(build_token(), grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer")

    assert_opened(response)


def test_an_amount_with_cents_opens_a_session_with_exactly_that_budget(post_token, build_token):
    body = assert_opened(post_token(build_token(amount=19.99)))

    assert body["session"]["amount"] == 19.99
    assert Session.objects.get().amount == Decimal("19.99")


def test_an_alg_none_token_is_refused(post_token, refused, partner, now):
    token = unsigned({"alg": "none", "typ": "JWT"}, seed_claims(now))

    refused(post_token(token), "unsupported-algorithm", 401)
    assert TokenBurn.objects.count() == 0


def test_an_hs512_token_is_refused(post_token, refused, acme_signature, now):
    token = handmade(
        {"alg": "HS512", "typ": "JWT"}, seed_claims(now), acme_signature, hashlib.sha512
    )

    refused(post_token(token), "unsupported-algorithm", 401)


def test_a_jku_header_is_refused(post_token, refused, acme_signature, now):
    token = handmade(
        {"alg": "HS256", "jku": "https://evil.example/jwks.json"}, seed_claims(now), acme_signature
    )

    refused(post_token(token), "unsupported-header", 401)


def test_a_payload_changed_after_signing_is_refused(post_token, refused, acme_signature, now):
    tampered = with_payload(
        handmade(NODE_HEADER, seed_claims(now), acme_signature), seed_claims(now, amount=900)
    )

    refused(post_token(tampered), "invalid-signature", 401)
    assert TokenBurn.objects.count() == 0


MALFORMED = {
    "malformed-base64": "e.eyJhbW91bnQiOjEwMH0.c2ln",
    "non-json-header": f"{b64url('not json')}.{b64url('{}')}.c2ln",
    "non-json-payload": f"{b64url(NODE_HEADER)}.{b64url('amount=100')}.c2ln",
    "two-segments": f"{b64url(NODE_HEADER)}.{b64url('{}')}",
    "blank": "   ",
    "unicode": "é.é.é",
    "dots-only": "..",
}


@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_token_is_a_401_problem(post_token, refused, partner, token):
    refused(post_token(token), "malformed-token", 401)


def test_an_empty_assertion_is_a_missing_field(post_token, refused, partner):
    """The route treats "" like an absent assertion: 422, field `assertion` (never a 500).

    (verification.verify("") says `malformed-token`; see test_verification.py.)
    """
    body = refused(post_token(""), "validation-error", 422)
    assert body["errors"][0]["field"] == "assertion"


def test_a_ten_kilobyte_token_is_refused_by_the_request_schema(post_token, refused, partner):
    """The request schema caps `assertion` at 8192 characters, before any decoding: 422."""
    token = f"{b64url(NODE_HEADER)}.{'A' * 10240}.c2ln"

    body = refused(post_token(token), "validation-error", 422)
    assert body["errors"][0]["field"] == "assertion"


def test_an_expired_token_is_refused(post_token, refused, build_token, now):
    refused(post_token(build_token(iat=now - 3601)), "token-expired", 401)


def test_a_token_from_the_future_is_refused(post_token, refused, build_token, now):
    refused(post_token(build_token(iat=now + 120)), "token-not-yet-valid", 401)


def test_invalid_claims_are_a_422_with_the_field(post_token, refused, build_token):
    body = refused(post_token(build_token(amount=-1)), "invalid-token-claims", 422)

    assert body["errors"][0]["field"] == "amount"
    assert TokenBurn.objects.count() == 0


@pytest.mark.parametrize("raw", ["1e400", "NaN"])
def test_a_non_finite_iat_is_a_401_not_a_500(post_token, refused, acme_signature, raw):
    payload = f'{{"amount":100,"iat":{raw},"notificationKey":"12345"}}'

    refused(post_token(handmade(NODE_HEADER, payload, acme_signature)), "malformed-token", 401)
    assert TokenBurn.objects.count() == 0


def test_a_token_with_a_non_json_number_claim_is_never_reported_as_already_used(
    post_token, acme_signature, now
):
    claims = json.dumps(seed_claims(now), separators=(",", ":"))
    payload = claims[:-1] + ',"score":NaN}'

    response = post_token(handmade(NODE_HEADER, payload, acme_signature))

    assert response.status_code == 401, response.content
    assert response.json()["code"] == "malformed-token"
    assert TokenBurn.objects.count() == 0


def test_the_iss_claim_names_the_partner(post_token, build_token):
    assert_opened(post_token(build_token(iss="acme"), client_id=None))


def test_the_kid_header_names_the_partner(post_token, partner, acme_signature, now):
    token = jwt.encode(seed_claims(now), acme_signature, algorithm="HS256", headers={"kid": "acme"})

    assert_opened(post_token(token, client_id=None))


def test_the_origin_of_an_authorised_sub_domain_names_the_partner(post_token, build_token):
    body = assert_opened(
        post_token(build_token(), client_id=None, origin="https://shop.acme.example")
    )

    assert Session.objects.get(pk=body["session"]["id"]).origin == "https://shop.acme.example"


def test_an_unauthorised_origin_is_an_unknown_partner(post_token, refused, build_token):
    refused(
        post_token(build_token(), client_id=None, origin="https://evil.example"),
        "unknown-partner",
        401,
    )


def test_no_way_to_tell_the_partner_is_an_unknown_partner(post_token, refused, build_token):
    refused(post_token(build_token(), client_id=None), "unknown-partner", 401)


def test_an_unknown_client_id_is_an_unknown_partner(post_token, refused, build_token):
    refused(post_token(build_token(), client_id="nobody"), "unknown-partner", 401)


def test_iss_and_client_id_naming_different_partners_is_a_mismatch(
    post_token, refused, build_token
):
    refused(post_token(build_token(iss="acme"), client_id="other"), "partner-mismatch", 401)


def test_a_token_of_partner_a_presented_as_partner_b_burns_nothing(
    post_token, refused, make_partner, build_token
):
    make_partner("beta", domains=["beta.example"])
    token = build_token()

    refused(post_token(token, client_id="beta"), "invalid-signature", 401)
    assert TokenBurn.objects.count() == 0

    assert_opened(post_token(token, client_id="acme"))


def test_during_a_rotation_tokens_signed_with_old_and_new_signatures_open_sessions(
    post_token, partner, build_token
):
    old = partner.issued.apiSignature
    new = credentials.rotate_api_signature(partner, grace=timedelta(hours=1))

    assert_opened(post_token(build_token(signature=old)))
    assert_opened(post_token(build_token(signature=new)))


def test_after_the_rotation_grace_the_old_signature_is_refused(
    post_token, refused, partner, build_token
):
    old = partner.issued.apiSignature
    new = credentials.rotate_api_signature(partner, grace=timedelta(0))

    refused(post_token(build_token(signature=old)), "invalid-signature", 401)
    assert_opened(post_token(build_token(signature=new)))
