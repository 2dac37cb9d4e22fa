"""SPEC §2: a partner token opens one session only; replays however re-encoded are refused, a
token refused for another reason is not spent, and burn records are pruned after the max age."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.tokens import sessions, verification
from jackpot.tokens.models import Session, TokenBurn
from support.tokens import (
    PHP_HEADER,
    RUBY_HEADER,
    assert_opened,
    flip_unused_signature_bits,
    handmade,
    pad_signature,
    seed_claims,
)

pytestmark = pytest.mark.django_db


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
