"""The token verifier of the backoffice and `jackpot token verify`: it shows the header, claims,
signature and use of a token, and its problem if any, and never burns it."""

import json

import pytest

from jackpot.tokens import sessions, verification
from jackpot.tokens.models import TokenBurn
from support.tokens import NODE_HEADER, PHP_HEADER, handmade, seed_claims, unsigned

pytestmark = pytest.mark.django_db


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
