"""Idempotency-Key on state-changing calls (Stripe's semantics)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from jackpot.api.models import IdempotencyRecord
from jackpot.vouchers.models import Voucher
from support.reservations import RESERVE


def confirm(api_client, partner, voucher_id, key, body=None):
    kwargs = {"apikey": partner.issued.apiKey, "idempotency_key": key}
    response = api_client.raw.put(
        f"/v2/voucher/{voucher_id}/confirm",
        data=body or "",
        content_type="application/json",
        **{f"HTTP_{k.upper()}": v for k, v in kwargs.items()},
    )
    return response


def test_the_same_key_replays_the_first_answer(acme, reserved, api_client):
    key = str(uuid.uuid4())
    first = confirm(api_client, acme, reserved["id"], key)
    second = confirm(api_client, acme, reserved["id"], key)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert Voucher.objects.get(pk=reserved["id"]).events.count() == 2  # reserved, confirmed once


def test_without_a_key_a_retry_is_a_conflict(acme, reserved, api_client):
    api_client.put(f"/v2/voucher/{reserved['id']}/confirm", apikey=acme.issued.apiKey)
    status, problem = api_client.put(
        f"/v2/voucher/{reserved['id']}/confirm", apikey=acme.issued.apiKey
    )
    assert status == 409 and problem["code"] == "voucher-state-conflict"


def test_a_key_reused_for_another_request_is_422(acme, reserved, api_client):
    key = str(uuid.uuid4())
    confirm(api_client, acme, reserved["id"], key)
    response = api_client.raw.put(
        f"/v2/voucher/{reserved['id']}/cancel",
        content_type="application/json",
        HTTP_APIKEY=acme.issued.apiKey,
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"
    assert Voucher.objects.get(pk=reserved["id"]).state == "CONFIRMED"


def test_errors_are_replayed_too(acme, reserved, api_client):
    key = str(uuid.uuid4())
    Voucher.objects.filter(pk=reserved["id"]).update(state="CANCELED")
    first = confirm(api_client, acme, reserved["id"], key)
    Voucher.objects.filter(pk=reserved["id"]).update(state="RESERVED")
    second = confirm(api_client, acme, reserved["id"], key)
    assert first.status_code == second.status_code == 409
    assert first.content == second.content


def test_keys_are_per_credential(acme, reserved, make_partner, api_client):
    beta = make_partner("beta", domains=["beta.example"])
    key = str(uuid.uuid4())
    assert confirm(api_client, beta, reserved["id"], key).status_code == 404
    assert confirm(api_client, acme, reserved["id"], key).status_code == 200


def test_an_invalid_key_is_400(acme, reserved, api_client):
    response = confirm(api_client, acme, reserved["id"], "x" * 256)
    assert response.status_code == 400 and response.json()["code"] == "invalid-idempotency-key"
    assert Voucher.objects.get(pk=reserved["id"]).state == "RESERVED"


def test_records_are_pruned_after_a_day(acme, reserved, api_client):
    from datetime import timedelta

    from django.utils import timezone

    from jackpot.api.idempotency import prune

    confirm(api_client, acme, reserved["id"], "old-key")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert prune() == 1 and IdempotencyRecord.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_confirms_with_one_key_make_one_transition_and_ten_identical_answers(
    live_server, acme, catalog, build_token
):
    session = httpx.post(
        f"{live_server.url}/v2/token", json={"client_id": "acme", "assertion": build_token()}
    ).json()["access_token"]
    voucher = httpx.post(
        f"{live_server.url}{RESERVE}",
        json={"value": 30},
        headers={"Authorization": f"Bearer {session}"},
    ).json()
    key = str(uuid.uuid4())
    barrier = threading.Barrier(10)

    def send(_):
        barrier.wait()
        return httpx.put(
            f"{live_server.url}/v2/voucher/{voucher['id']}/confirm",
            timeout=30,
            headers={"apikey": acme.issued.apiKey, "Idempotency-Key": key},
        )

    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(send, range(10)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert Voucher.objects.get(pk=voucher["id"]).events.filter(to_state="CONFIRMED").count() == 1
