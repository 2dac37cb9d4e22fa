"""SPEC §2–§3 over HTTP: `POST /v2/token` exchanges a partner token, once, for a session.

Refusals are RFC 9457 problem documents with a stable `code`; a bad token is never a 500.
"""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

import jwt
import pytest
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.partners import credentials
from jackpot.tokens import sessions, verification
from jackpot.tokens.models import Session, TokenBurn
from support.tokens import (
    NODE_HEADER,
    PHP_HEADER,
    RUBY_HEADER,
    SEED_LIBRARIES,
    b64url,
    flip_unused_signature_bits,
    handmade,
    pad_signature,
    seed_claims,
    seed_token,
    unsigned,
    with_payload,
)

pytestmark = pytest.mark.django_db


def assert_opened(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["access_token"].startswith("jks_")
    assert body["token_type"] == "Bearer"
    return body


# ---------------------------------------------------------------------------------------------
# The seed's samples open a session
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Refusals are problems with a code, never a 500
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Which partner?
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# One time
# ---------------------------------------------------------------------------------------------


def test_a_token_is_exchanged_once(post_token, refused, build_token):
    token = build_token()
    assert_opened(post_token(token))

    refused(post_token(token), "token-already-used", 409)
    assert Session.objects.count() == 1
    assert TokenBurn.objects.count() == 1


def test_a_replay_naming_the_partner_another_way_is_still_a_replay(
    post_token, refused, build_token
):
    token = build_token()
    assert_opened(post_token(token, client_id="acme"))

    refused(
        post_token(token, client_id=None, origin="https://shop.acme.example"),
        "token-already-used",
        409,
    )


def test_a_replay_with_surrounding_whitespace_is_still_a_replay(post_token, refused, build_token):
    token = build_token()
    assert_opened(post_token(token))

    refused(post_token(f"  {token}\n"), "token-already-used", 409)


def test_a_replay_with_a_padded_signature_is_still_a_replay(post_token, refused, build_token):
    """The burn is keyed on `header.payload`, so a re-spelled signature is the same token."""
    token = build_token()
    assert_opened(post_token(token))

    refused(post_token(pad_signature(token)), "token-already-used", 409)
    assert Session.objects.count() == 1


def test_a_replay_with_re_encoded_signature_bits_opens_nothing(post_token, build_token):
    """Flipping the signature's unused low bits: a lenient decoder reads the same signature (so
    the burn must catch it: token-already-used); a strict one, as recent PyJWT, refuses the
    non-canonical base64url (malformed-token). Either way no second session opens."""
    token = build_token()
    assert_opened(post_token(token))

    response = post_token(flip_unused_signature_bits(token))

    assert (response.status_code, response.json()["code"]) in {
        (409, "token-already-used"),
        (401, "malformed-token"),
    }
    assert Session.objects.count() == 1
    assert TokenBurn.objects.count() == 1


def test_a_burn_is_per_signed_input_not_per_notification_key(post_token, acme_signature, now):
    """Two distinct tokens (other header bytes) are two tokens, even with the same claims."""
    assert_opened(post_token(handmade(PHP_HEADER, seed_claims(now), acme_signature)))
    assert_opened(post_token(handmade(RUBY_HEADER, seed_claims(now), acme_signature)))

    assert TokenBurn.objects.count() == 2


def test_a_token_that_fails_verification_burns_nothing_and_can_be_used_once_fixed(
    post_token, refused, partner, build_token, now
):
    """A token refused for its claims leaves no burn; its corrected successor opens a session."""
    refused(
        post_token(build_token(amount=0, notificationKey="nk-1", iat=now)),
        "invalid-token-claims",
        422,
    )
    refused(post_token(build_token(notificationKey="nk-1", iat=now - 4000)), "token-expired", 401)
    assert TokenBurn.objects.count() == 0

    assert_opened(post_token(build_token(notificationKey="nk-1", iat=now)))


def test_the_verifier_does_not_spend_the_token(post_token, build_token):
    token = build_token()
    verification.describe(token, client_id="acme")
    verification.describe(token, client_id="acme")

    assert_opened(post_token(token))


# ---------------------------------------------------------------------------------------------
# Rotation over HTTP
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Burn records are pruned after the max age
# ---------------------------------------------------------------------------------------------


def test_prune_burns_forgets_burns_older_than_max_age_plus_skew_and_keeps_recent_ones(
    partner, settings
):
    settings.JACKPOT_TOKEN_MAX_AGE = 3600
    settings.JACKPOT_TOKEN_CLOCK_SKEW = 60
    moment = timezone.now()
    ages = {"ancient": 86400, "just-past": 3661, "within-skew": 3630, "recent": 10}
    for name, age in ages.items():
        TokenBurn.objects.create(
            partner=partner, digest=name.ljust(64, "0"), burned_at=moment - timedelta(seconds=age)
        )

    assert sessions.prune_burns(now=moment) == 2

    kept = {d.rstrip("0") for d in TokenBurn.objects.values_list("digest", flat=True)}
    assert kept == {"within-skew", "recent"}


def test_a_pruned_burn_belongs_to_a_token_that_is_expired_anyway(
    post_token, refused, build_token, now
):
    token = build_token(iat=now)
    assert_opened(post_token(token))
    later = timezone.now() + timedelta(seconds=3600 + 61)

    assert sessions.prune_burns(now=later) == 1
    # The token cannot be replayed after its burn is gone: it is too old by then.
    with pytest.raises(Problem) as caught:
        verification.verify(token, client_id="acme", now=later)
    assert caught.value.code == "token-expired"


# ---------------------------------------------------------------------------------------------
# The session
# ---------------------------------------------------------------------------------------------


def test_a_session_lasts_one_hour(post_token, build_token):
    before = timezone.now()
    body = assert_opened(post_token(build_token()))
    session = Session.objects.get(pk=body["session"]["id"])

    assert before <= session.created_at <= timezone.now()
    assert session.expires_at - session.created_at == timedelta(hours=1)
    assert session.is_live()
    assert body["session"]["expiresAt"].endswith("Z")


def test_the_session_credential_is_stored_only_as_a_digest(post_token, build_token):
    credential = assert_opened(post_token(build_token()))["access_token"]
    session = Session.objects.get()

    assert session.credential_digest != credential
    assert session.credential_digest == hashlib.sha256(credential.encode()).hexdigest()
    for field in Session._meta.concrete_fields:
        stored = json.dumps(getattr(session, field.attname), default=str)
        assert credential not in stored, field.name
        assert credential.removeprefix("jks_") not in stored, field.name


def test_the_session_credential_is_random_and_finds_its_session(post_token, build_token):
    first = assert_opened(post_token(build_token()))["access_token"]
    second = assert_opened(post_token(build_token()))["access_token"]

    assert first != second
    assert len(first.removeprefix("jks_")) >= 43  # 32 random bytes, base64url
    assert sessions.session_for_credential(first).pk != sessions.session_for_credential(second).pk
    assert sessions.session_for_credential(first[:-1] + ("A" if first[-1] != "A" else "B")) is None
    assert sessions.session_for_credential("not-a-credential") is None


def test_the_session_keeps_the_tokens_claims(post_token, build_token):
    token = build_token(
        cp="2A004", forceManualConfirm=True, email="user@example.com", customTransactionId="tx-42"
    )
    body = assert_opened(post_token(token))
    session = Session.objects.get(pk=body["session"]["id"])

    assert (session.postcode, session.age, session.gender) == ("2A004", 40, "M")
    assert session.force_manual_confirm is True
    assert session.email == "user@example.com"
    assert session.custom_transaction_id == "tx-42"
    assert session.claims["cp"] == "2A004"
    assert session.partner_id == "acme"
