"""What each credential may do, and that nobody reaches another partner's vouchers."""

import pytest

from jackpot.vouchers.models import Voucher
from support.reservations import RESERVE


def partner_token(api_client, partner) -> str:
    status, body = api_client.call(
        "post",
        "/v2/token",
        {
            "grant_type": "client_credentials",
            "client_id": partner.pk,
            "client_secret": partner.issued.clientSecret,
        },
    )
    assert status == 200 and body["scope"] == "partner" and body["expires_in"] == 3600
    assert body["access_token"].startswith("jpt_") and body["session"] is None
    return body["access_token"]


def test_client_credentials_give_a_partner_token_that_confirms(acme, reserved, api_client):
    bearer = partner_token(api_client, acme)
    status, voucher = api_client.put(
        f"/v2/voucher/{reserved['id']}/confirm", authorization=f"Bearer {bearer}"
    )
    assert status == 200 and voucher["state"] == "CONFIRMED"


def test_a_wrong_client_secret_is_refused(acme, api_client):
    status, problem = api_client.call(
        "post",
        "/v2/token",
        {"grant_type": "client_credentials", "client_id": "acme", "client_secret": "jcs_wrong"},
    )
    assert status == 401 and problem["code"] == "invalid-client"


def test_a_session_cannot_confirm_nor_list(acme, catalog, api_client, build_token):
    session = api_client.session(build_token(forceManualConfirm=True))
    _, voucher = api_client.post(RESERVE, {"value": 30}, bearer=session)
    status, _ = api_client.put(
        f"/v2/voucher/{voucher['id']}/confirm", authorization=f"Bearer {session}"
    )
    assert status == 401
    status, _ = api_client.get("/v2/vouchers", bearer=session)
    assert status == 401
    # ...but it reads the voucher it reserved
    status, read = api_client.get(f"/v2/voucher/{voucher['id']}", bearer=session)
    assert status == 200 and read["id"] == voucher["id"]
    assert Voucher.objects.get().state == "RESERVED"


def test_partner_credentials_cannot_read_the_catalogue_as_a_session(acme, catalog, api_client):
    status, problem = api_client.get("/v2/stores", apikey=acme.issued.apiKey)
    assert status == 401 and problem["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/v2/voucher/{id}"),
        ("put", "/v2/voucher/{id}/confirm"),
        ("put", "/v2/voucher/{id}/cancel"),
        ("post", "/v2/voucher/{id}/refund"),
    ],
)
def test_another_partners_voucher_is_404_on_every_route(
    reserved, make_partner, api_client, method, path
):
    beta = make_partner("beta", domains=["beta.example"])
    for credential in (
        {"apikey": beta.issued.apiKey},
        {"authorization": f"Bearer {partner_token(api_client, beta)}"},
    ):
        status, problem = api_client.call(method, path.format(id=reserved["id"]), **credential)
        assert status == 404 and problem["code"] == "voucher-not-found"
    voucher = Voucher.objects.get(pk=reserved["id"])
    assert voucher.state == "RESERVED" and voucher.events.count() == 1


def test_another_partner_lists_none_of_our_vouchers(reserved, make_partner, api_client):
    beta = make_partner("beta", domains=["beta.example"])
    status, page = api_client.get("/v2/vouchers", apikey=beta.issued.apiKey)
    assert status == 200 and page["items"] == []
    status, page = api_client.get(
        f"/v2/vouchers?notificationKey={reserved['notificationKey']}", apikey=beta.issued.apiKey
    )
    assert page["items"] == []


def test_refund_needs_a_delivered_voucher(acme, reserved, api_client):
    status, problem = api_client.post(
        f"/v2/voucher/{reserved['id']}/refund", {"reason": "wrong shop"}, apikey=acme.issued.apiKey
    )
    assert status == 409 and problem["code"] == "voucher-state-conflict"
    Voucher.objects.filter(pk=reserved["id"]).update(state="READY")
    status, voucher = api_client.post(
        f"/v2/voucher/{reserved['id']}/refund", {"reason": "wrong shop"}, apikey=acme.issued.apiKey
    )
    assert status == 200 and voucher["state"] == "REFUNDING"
