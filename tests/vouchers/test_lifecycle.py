"""The voucher state machine (SPEC §6.1): allowed moves, refused moves, and their journal."""

import pytest

from jackpot.core.problems import Problem
from jackpot.vouchers import journal, lifecycle
from jackpot.vouchers.models import State, Voucher
from support.reservations import reserve_via_api

ALLOWED = {
    (State.RESERVED, "confirm"): State.CONFIRMED,
    (State.RESERVED, "cancel"): State.CANCELED,
    (State.RESERVED, "expire"): State.EXPIRED,
    (State.CONFIRMED, "deliver"): State.READY,
    (State.READY, "send"): State.SENT,
    (State.READY, "refund"): State.REFUNDING,
    (State.SENT, "refund"): State.REFUNDING,
    (State.REFUNDING, "accept_refund"): State.REFUNDED,
    (State.REFUNDING, "reject_refund"): State.REFUND_REJECTED,
}


@pytest.fixture
def voucher(make_partner, catalog, api_client, build_token):
    make_partner("acme", confirmation_mode="manual")
    return Voucher.objects.get(pk=reserve_via_api(api_client, build_token())["id"])


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(lifecycle.TRANSITIONS))
def test_each_action_moves_only_from_its_states(voucher, state, action):
    Voucher.objects.filter(pk=voucher.pk).update(state=state)
    expected = ALLOWED.get((state, action))
    if expected is None:
        with pytest.raises(Problem) as refused:
            lifecycle.transition(voucher.pk, action, "test")
        assert refused.value.code == "voucher-state-conflict" and refused.value.status == 409
        assert Voucher.objects.get(pk=voucher.pk).state == state
    else:
        moved = lifecycle.transition(voucher.pk, action, "test", reason="because")
        assert moved.state == expected
        event = moved.events.last()
        assert (event.from_state, event.to_state, event.actor, event.code, event.reason) == (
            state,
            expected,
            "test",
            journal.ACTION_CODES[action],
            "because",
        )


def test_another_partners_voucher_is_not_found(voucher, make_partner):
    make_partner("beta", domains=["beta.example"])
    with pytest.raises(Problem) as refused:
        lifecycle.transition(voucher.pk, "confirm", "partner:beta", partner_id="beta")
    assert refused.value.status == 404
    assert Voucher.objects.get(pk=voucher.pk).state == State.RESERVED


def test_wrong_partner_over_http_gets_404_and_changes_nothing(voucher, make_partner, api_client):
    beta = make_partner("beta", domains=["beta.example"])
    for method, path in [
        ("get", f"/v2/voucher/{voucher.pk}"),
        ("put", f"/v2/voucher/{voucher.pk}/confirm"),
        ("put", f"/v2/voucher/{voucher.pk}/cancel"),
    ]:
        status, problem = api_client.call(method, path, apikey=beta.issued.apiKey)
        assert status == 404 and problem["code"] == "voucher-not-found"
    assert Voucher.objects.get(pk=voucher.pk).state == State.RESERVED


def test_voucher_routes_need_a_valid_api_key(voucher, api_client):
    status, problem = api_client.put(f"/v2/voucher/{voucher.pk}/confirm", apikey="jpk_wrong")
    assert status == 401 and problem["code"] == "unauthenticated"
    status, problem = api_client.put(f"/v2/voucher/{voucher.pk}/confirm")
    assert status == 401
    status, problem = api_client.get("/v2/voucher/not-a-uuid", apikey="jpk_wrong")
    assert status in (401, 422)
    assert Voucher.objects.get(pk=voucher.pk).state == State.RESERVED
