"""Refund decisions (SPEC §6.1): REFUNDING → REFUNDED (codes voided, payment reversed) or
REFUND_REJECTED; from `vouchers.refunds` and `jackpot refund accept|reject`."""

import json
from decimal import Decimal

import pytest

from jackpot.ledger import services as ledger
from jackpot.vouchers import refunds
from jackpot.vouchers.codes import merchant
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Code, CodeState, Voucher
from support.cli import run_jackpot
from support.reservations import reserve_via_api


def refunding(api_client, build_token, partner) -> dict:
    voucher = reserve_via_api(api_client, build_token(), 110)
    process_due_jobs()
    status, body = api_client.post(
        f"/v2/voucher/{voucher['id']}/refund",
        {"reason": "the user never used it"},
        apikey=partner.issued.apiKey,
    )
    assert status == 200 and body["state"] == "REFUNDING", body
    return body


def test_accepting_voids_the_codes_and_gives_a_paid_price_back(
    partner, catalog, api_client, build_token
):
    ledger.credit_wallet(partner, Decimal("500.00"), reference="top-up", created_by="test")
    voucher = refunding(api_client, build_token, partner)
    assert voucher["paymentState"] == "PAID"
    assert ledger.wallet_status(partner).balance == Decimal("400.00")

    refunded = refunds.accept(voucher["id"], "operator:alice", "store agreed")
    assert refunded.state == "REFUNDED"
    assert ledger.wallet_status(partner).balance == Decimal("500.00")
    (code,) = Code.objects.filter(voucher_id=voucher["id"])
    assert code.state == CodeState.VOID and code.voided_at is not None
    event = refunded.events.last()
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        "REFUNDING",
        "REFUNDED",
        "operator:alice",
        "store agreed",
    )


def test_rejecting_keeps_the_voucher_and_its_codes(partner, catalog, api_client, build_token):
    voucher = refunding(api_client, build_token, partner)
    rejected = refunds.reject(voucher["id"], "operator:alice", "already used in store")
    assert rejected.state == "REFUND_REJECTED"
    assert Code.objects.get(voucher_id=voucher["id"]).state == CodeState.ISSUED


def test_a_voucher_whose_code_was_redeemed_cannot_be_refunded(
    partner, catalog, api_client, build_token
):
    from jackpot.core.problems import Problem

    voucher = refunding(api_client, build_token, partner)
    code = Code.objects.get(voucher_id=voucher["id"])
    merchant.redeem(code.store, code.code)
    with pytest.raises(Problem) as refused:
        refunds.accept(voucher["id"], "operator:alice")
    assert refused.value.code == "code-already-redeemed" and refused.value.status == 409
    assert Voucher.objects.get(pk=voucher["id"]).state == "REFUNDING"
    assert Code.objects.get(pk=code.pk).state == CodeState.ISSUED


def test_only_a_refunding_voucher_can_be_decided(partner, catalog, api_client, build_token):
    from jackpot.core.problems import Problem

    voucher = reserve_via_api(api_client, build_token(), 110)
    for decide in (refunds.accept, refunds.reject):
        with pytest.raises(Problem) as refused:
            decide(voucher["id"], "operator:alice")
        assert refused.value.code == "voucher-state-conflict"


def test_the_cli_accepts_and_rejects_refunds(partner, catalog, api_client, build_token, capsys):
    first = refunding(api_client, build_token, partner)
    second = refunding(api_client, build_token, partner)

    assert run_jackpot(["refund", "accept", first["id"], "--reason", "store agreed"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "REFUNDED"
    assert run_jackpot(["refund", "reject", second["id"], "--reason", "code used"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "REFUND_REJECTED"
    assert Voucher.objects.get(pk=second["id"]).events.last().reason == "code used"

    assert run_jackpot(["refund", "accept", first["id"]]) == 2
    assert "not possible for a REFUNDED voucher" in capsys.readouterr().err
    assert run_jackpot(["refund", "accept", "not-a-uuid"]) == 2
    assert "not a voucher id" in capsys.readouterr().err
    assert run_jackpot(["refund", "accept", "6f1c2a7e-0000-4000-8000-000000000000"]) == 2
    assert "No such voucher" in capsys.readouterr().err
