"""`jackpot refund accept|reject`: the store's decision, recorded from the command line, with
its effects on the voucher, its codes and the partner's wallet."""

import json
from decimal import Decimal

import pytest

from jackpot.cli import main
from jackpot.ledger import services as ledger
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Code, CodeState, Voucher

pytestmark = pytest.mark.django_db

RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def refunding(partner, catalog, api_client, build_token):
    """A paid 110 € voucher with its code, whose refund the partner asked for."""
    ledger.credit_wallet(partner, Decimal("500.00"), reference="top-up", created_by="test")

    def ask() -> str:
        _, voucher = api_client.post(
            RESERVE, {"value": 110}, bearer=api_client.session(build_token())
        )
        process_due_jobs()
        status, body = api_client.post(
            f"/v2/voucher/{voucher['id']}/refund", apikey=partner.issued.apiKey
        )
        assert status == 200 and body["state"] == "REFUNDING", body
        return voucher["id"]

    return ask


def test_refund_accept_voids_the_codes_gives_the_price_back_and_prints_the_voucher(
    capsys, partner, refunding
):
    voucher_id = refunding()
    paid = ledger.wallet_balance(partner)

    code, out, _ = run(capsys, "refund", "accept", voucher_id, "--reason", "store agreed")

    assert code == 0
    printed = json.loads(out)
    assert (printed["id"], printed["state"]) == (voucher_id, "REFUNDED")
    assert ledger.wallet_balance(partner) == Decimal("500.00") > paid
    assert Code.objects.get(voucher_id=voucher_id).state == CodeState.VOID
    event = Voucher.objects.get(pk=voucher_id).events.last()
    assert (event.to_state, event.actor, event.reason) == (
        "REFUNDED",
        "operator:cli",
        "store agreed",
    )


def test_refund_reject_keeps_the_codes_and_the_payment(capsys, partner, refunding):
    voucher_id = refunding()
    paid = ledger.wallet_balance(partner)

    code, out, _ = run(capsys, "refund", "reject", voucher_id)

    assert code == 0
    assert json.loads(out)["state"] == "REFUND_REJECTED"
    assert ledger.wallet_balance(partner) == paid
    assert Code.objects.get(voucher_id=voucher_id).state == CodeState.ISSUED
    event = Voucher.objects.get(pk=voucher_id).events.last()
    assert (event.actor, event.code, event.reason) == ("operator:cli", "refund_rejected", "")


@pytest.mark.parametrize(
    "voucher_id, message",
    [
        ("not-a-uuid", "'not-a-uuid' is not a voucher id"),
        ("6f1c2a7e-0000-4000-8000-000000000000", "No such voucher"),
    ],
)
def test_refund_of_a_voucher_that_is_not_there_exits_2(capsys, refunding, voucher_id, message):
    code, out, err = run(capsys, "refund", "accept", voucher_id)

    assert (code, out) == (2, "")
    assert message in err


def test_a_refund_decided_once_cannot_be_decided_again(capsys, refunding):
    voucher_id = refunding()
    assert run(capsys, "refund", "reject", voucher_id)[0] == 0

    code, out, err = run(capsys, "refund", "accept", voucher_id)

    assert (code, out) == (2, "")
    assert "REFUND_REJECTED" in err
    assert Voucher.objects.get(pk=voucher_id).state == "REFUND_REJECTED"
