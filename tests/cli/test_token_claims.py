"""`jackpot token build` sets every claim of the token contract (SPEC §2, tokens/claims.py), and
`jackpot token verify TOKEN`, as the README shows it, finds the partner as the exchange does, or
by the apiSignature that signed the token when nothing names it."""

import json
import time

import jwt
import pytest
from django.utils import timezone

from jackpot.tokens.claims import TokenClaims, parse_claims
from jackpot.tokens.models import TokenBurn
from jackpot.vouchers.models import State, Voucher
from support.cli import run_main
from support.tokens import partner_token

pytestmark = pytest.mark.django_db


def payload(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def build(capsys, *extra) -> str:
    code, out, err = run_main(
        capsys, "token", "build", "--partner", "acme", "--amount", "100", *extra
    )
    assert code == 0, err
    return out.strip()


def verify(capsys, *argv) -> tuple[int, dict]:
    code, out, _ = run_main(capsys, "token", "verify", *argv)
    return code, json.loads(out)


def test_every_claim_of_the_contract_can_be_set(capsys, partner):
    now = int(time.time())
    token = build(
        capsys,
        *("--cp", "2A004", "--age", "40", "--gender", "F", "--user-id", "u-7"),
        *("--notification-key", "tx-9", "--email", "ana@example.com"),
        *("--force-manual-confirm", "--custom-transaction-id", "order-12"),
        *("--iat", str(now - 5), "--exp", str(now + 600), "--nbf", str(now - 10)),
        *("--iss", "acme", "--aud", "jackpot", "--jti", "j-1", "--kid", "acme"),
    )

    claims = payload(token)
    assert claims == {
        "amount": 100,
        "cp": "2A004",
        "age": 40,
        "gender": "F",
        "userId": "u-7",
        "notificationKey": "tx-9",
        "email": "ana@example.com",
        "forceManualConfirm": True,
        "customTransactionId": "order-12",
        "iat": now - 5,
        "exp": now + 600,
        "nbf": now - 10,
        "iss": "acme",
        "aud": "jackpot",
        "jti": "j-1",
    }
    assert jwt.get_unverified_header(token)["kid"] == "acme"
    parsed = parse_claims(claims, partner.session_ceiling, timezone.now())
    unset = [f for f, v in vars(parsed).items() if v in ("", None, False)]
    assert unset == [], f"claims the CLI cannot set: {unset}"
    assert set(vars(parsed)) == set(TokenClaims.__dataclass_fields__)


def test_force_manual_confirm_false_is_written_and_left_out_by_default(capsys, partner):
    assert payload(build(capsys, "--no-force-manual-confirm"))["forceManualConfirm"] is False
    assert "forceManualConfirm" not in payload(build(capsys))
    assert "customTransactionId" not in payload(build(capsys))


def test_a_token_forcing_manual_confirmation_leaves_its_voucher_to_confirm(
    capsys, partner, catalog, api_client
):
    token = build(
        capsys,
        "--cp",
        "75000",
        "--age",
        "40",
        "--force-manual-confirm",
        "--custom-transaction-id",
        "order-12",
    )
    session = api_client.session(token)

    status, voucher = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
        {"value": 30},
        bearer=session,
    )

    assert status == 201 and voucher["state"] == "RESERVED"  # the partner confirms by default
    assert voucher["customTransactionId"] == "order-12"
    assert Voucher.objects.get().state == State.RESERVED


def test_verify_finds_the_partner_of_a_token_that_names_none(capsys, partner, make_partner):
    make_partner("beta")
    token = build(capsys)
    assert not {"iss"} & set(payload(token))

    code, report = verify(capsys, token)

    assert code == 0, report
    assert (report["partner"], report["partnerFoundBy"]) == ("acme", "signature")
    assert report["valid"] and report["signatureValid"] and report["alreadyUsed"] is False
    assert TokenBurn.objects.count() == 0


@pytest.mark.parametrize(
    "extra, found_by",
    [
        (("--client-id", "acme"), "client_id"),
        (("--origin", "https://acme.example"), "origin"),
    ],
)
def test_verify_finds_the_partner_as_the_exchange_does(capsys, partner, extra, found_by):
    code, report = verify(capsys, build(capsys), *extra)

    assert code == 0 and (report["partner"], report["partnerFoundBy"]) == ("acme", found_by)


def test_verify_names_the_partner_an_iss_claim_names(capsys, partner, make_partner):
    make_partner("beta")
    code, report = verify(capsys, build(capsys, "--iss", "beta"))

    assert code == 1 and report["partner"] == "beta" and report["partnerFoundBy"] == "iss"
    assert report["problem"]["code"] == "invalid-signature"  # acme's key, not beta's


def test_verify_of_a_token_no_partner_signed_names_no_partner(capsys, partner):
    code, report = verify(capsys, partner_token(signature="s" * 40))

    assert code == 1 and report["partner"] is None
    assert report["problem"]["code"] == "unknown-partner"
