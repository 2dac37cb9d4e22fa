"""`jackpot token build` and `token verify`: a JWT as the integration guide builds it, verified
without burning it; the sample builder's errors become exit 2 with a message."""

import base64
import json

import pytest
from django.utils import timezone

from jackpot.cli import main
from jackpot.partners.models import ApiSignature
from jackpot.tokens.models import TokenBurn
from support.cli import run_main

pytestmark = pytest.mark.django_db


def test_an_amount_that_is_not_a_number_names_the_flag(capsys, partner):
    assert main(["token", "build", "--partner", "acme", "--amount", "lots"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "jackpot: --amount: 'lots' is not a number" in captured.err


def test_a_partner_without_a_valid_signature_gets_no_token(capsys, partner):
    ApiSignature.objects.filter(partner=partner).delete()

    assert main(["token", "build", "--partner", "acme", "--amount", "100"]) == 2

    assert "partner 'acme' has no valid apiSignature" in capsys.readouterr().err


def b64url_json(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def build(capsys, *extra) -> str:
    code, out, err = run_main(
        capsys,
        "token",
        "build",
        "--partner",
        "acme",
        "--amount",
        "100",
        "--cp",
        "75000",
        "--age",
        "40",
        "--gender",
        "M",
        *extra,
    )
    assert code == 0, err
    return out.strip()


def test_token_build_prints_a_jwt_as_the_integration_guide_builds_it(capsys, partner):
    token = build(capsys)

    header, payload, signature = token.split(".")
    assert b64url_json(header) == {"alg": "HS256", "typ": "JWT"}
    claims = b64url_json(payload)
    assert claims["amount"] == 100 and type(claims["amount"]) is int
    assert (claims["cp"], claims["age"], claims["gender"]) == ("75000", 40, "M")
    assert isinstance(claims["iat"], int)
    assert abs(claims["iat"] - timezone.now().timestamp()) < 60
    assert claims["notificationKey"]
    assert not {"exp", "jti", "iss", "aud"} & set(claims)
    assert signature


def test_token_build_gives_each_token_its_own_notification_key(capsys, partner):
    first, second = (b64url_json(build(capsys).split(".")[1]) for _ in range(2))

    assert first["notificationKey"] != second["notificationKey"]


def test_token_build_passes_the_optional_claims(capsys, partner):
    claims = b64url_json(
        build(capsys, "--user-id", "u-42", "--notification-key", "tx-1").split(".")[1]
    )

    assert (claims["userId"], claims["notificationKey"]) == ("u-42", "tx-1")


def test_token_verify_shows_a_fresh_token_valid_without_burning_it(capsys, partner):
    token = build(capsys)

    code, out, _ = run_main(capsys, "token", "verify", token, "--client-id", "acme")

    assert code == 0
    report = json.loads(out)
    assert report["signatureValid"] is True
    assert report["alreadyUsed"] is False
    assert report["valid"] is True
    assert report["partner"] == "acme"
    assert report["header"] == {"alg": "HS256", "typ": "JWT"}
    assert report["claims"]["amount"] == 100
    assert TokenBurn.objects.count() == 0
    # and verifying again says the same: the verifier never burns
    assert run_main(capsys, "token", "verify", token, "--client-id", "acme")[0] == 0
    assert TokenBurn.objects.count() == 0


def test_token_verify_exits_1_on_a_bad_signature(capsys, partner, build_token):
    code, out, _ = run_main(
        capsys, "token", "verify", build_token(signature="x" * 40), "--client-id", "acme"
    )

    assert code == 1
    report = json.loads(out)
    assert report["signatureValid"] is False and report["valid"] is False
    assert report["problem"]["code"] == "invalid-signature"


def test_token_build_for_an_unknown_partner_exits_2(capsys, partner):
    code, out, err = run_main(capsys, "token", "build", "--partner", "nobody", "--amount", "100")

    assert code == 2
    assert out == ""
    assert "nobody" in err
