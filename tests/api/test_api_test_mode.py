"""Test mode through the API: test credentials make test vouchers, and the two modes never see
each other's data (404 across, as between partners), on every route."""

import pytest

from jackpot.catalog.models import Campaign
from jackpot.ledger.models import Account, Entry, Transaction
from jackpot.vouchers.models import Code, Voucher
from support.reservations import RESERVE, SHOPPER
from support.tokens import partner_token


def bearer(api_client, client_secret: str, client_id: str = "acme") -> str:
    status, body = api_client.call(
        "post",
        "/v2/token",
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    assert status == 200, body
    return body["access_token"]


def reserve(api_client, signature: str, value=30) -> dict:
    status, answer = api_client.exchange(partner_token(signature, **SHOPPER))
    assert status == 200, answer
    status, voucher = api_client.post(RESERVE, {"value": value}, bearer=answer["access_token"])
    assert status == 201, voucher
    return voucher


@pytest.fixture
def acme(make_partner, catalog):
    return make_partner("acme", confirmation_mode="manual")


@pytest.fixture
def test_creds(acme):
    return acme.issued.test


@pytest.fixture
def live_voucher(acme, api_client):
    return reserve(api_client, acme.issued.apiSignature)


@pytest.fixture
def test_voucher(acme, test_creds, api_client):
    return reserve(api_client, test_creds["apiSignature"])


def test_test_credentials_are_visibly_test_ones(acme, test_creds):
    assert test_creds["apiKey"].startswith("jpk_test_")
    assert test_creds["clientSecret"].startswith("jcs_test_")
    assert test_creds["webhookSecret"].startswith("whsec_")
    assert not acme.issued.apiKey.startswith("jpk_test_")
    assert test_creds["apiSignature"] != acme.issued.apiSignature


def test_a_token_signed_with_the_test_signature_opens_a_test_session(acme, test_creds, api_client):
    status, body = api_client.exchange(partner_token(test_creds["apiSignature"], **SHOPPER))
    assert status == 200
    assert body["session"]["livemode"] is False and body["session"]["partnerId"] == "acme"
    status, live = api_client.exchange(partner_token(acme.issued.apiSignature, **SHOPPER))
    assert live["session"]["livemode"] is True and live["session"]["partnerId"] == "acme"


def test_a_token_of_neither_signature_is_still_refused(acme, api_client):
    status, problem = api_client.exchange(partner_token("not-a-signature-of-acme-at-all-0123"))
    assert status == 401 and problem["code"] == "invalid-signature"


def test_the_same_catalogue_and_prices_in_test_mode(acme, test_creds, api_client):
    def stores(signature):
        status, body = api_client.exchange(partner_token(signature, **SHOPPER))
        status, page = api_client.get("/v2/stores", bearer=body["access_token"])
        assert status == 200
        return page["items"]

    assert stores(test_creds["apiSignature"]) == stores(acme.issued.apiSignature)


def test_a_test_voucher_says_so_and_is_priced_as_a_live_one(live_voucher, test_voucher):
    assert test_voucher["livemode"] is False and live_voucher["livemode"] is True
    for field in ("value", "price", "bonus", "storeId", "offerId", "currency"):
        assert test_voucher[field] == live_voucher[field]


def test_a_test_voucher_touches_no_budget_wallet_statement_nor_stock(acme, test_creds, api_client):
    campaign = Campaign.objects.get(pk="sportmax-launch")
    counts = (Transaction.objects.count(), Entry.objects.count(), Account.objects.count())
    voucher = reserve(api_client, test_creds["apiSignature"])
    status, confirmed = api_client.put(
        f"/v2/voucher/{voucher['id']}/confirm", apikey=test_creds["apiKey"]
    )
    assert status == 200 and confirmed["state"] == "CONFIRMED"
    assert confirmed["paymentState"] == "DUE" and confirmed["walletOperationId"] is None
    status, _ = api_client.get("/v2/wallet", apikey=test_creds["apiKey"])
    fresh = Campaign.objects.get(pk="sportmax-launch")
    assert (fresh.bonus_spent, fresh.vouchers_issued) == (
        campaign.bonus_spent,
        campaign.vouchers_issued,
    )
    assert (Transaction.objects.count(), Entry.objects.count(), Account.objects.count()) == counts
    [code] = Code.objects.filter(voucher_id=voucher["id"])
    assert code.code.startswith("TEST")


def test_cancelling_a_test_voucher_gives_no_budget_back(acme, test_creds, api_client):
    live = reserve(api_client, acme.issued.apiSignature)
    spent = Campaign.objects.get(pk="sportmax-launch").bonus_spent
    test = reserve(api_client, test_creds["apiSignature"])
    status, _ = api_client.put(f"/v2/voucher/{test['id']}/cancel", apikey=test_creds["apiKey"])
    assert status == 200
    assert Campaign.objects.get(pk="sportmax-launch").bonus_spent == spent
    assert live["state"] == "RESERVED"


def test_the_test_wallet_is_empty_and_writes_nothing(acme, test_creds, api_client):
    status, wallet = api_client.get("/v2/wallet", apikey=test_creds["apiKey"])
    assert status == 200 and wallet["balance"] == 0
    status, ledger = api_client.get("/v2/wallet/ledger", apikey=test_creds["apiKey"])
    assert status == 200 and ledger["items"] == []
    assert not Account.objects.filter(partner_id="acme~test").exists()


def _credentials(api_client, acme, mode: str) -> list[dict]:
    """Every partner credential of one mode: its apikey and a client_credentials bearer."""
    if mode == "live":
        key, secret = acme.issued.apiKey, acme.issued.clientSecret
    else:
        key, secret = acme.issued.test["apiKey"], acme.issued.test["clientSecret"]
    return [{"apikey": key}, {"authorization": f"Bearer {bearer(api_client, secret)}"}]


ROUTES = [
    ("get", "/v2/voucher/{id}", None),
    ("put", "/v2/voucher/{id}/confirm", None),
    ("put", "/v2/voucher/{id}/cancel", None),
    ("post", "/v2/voucher/{id}/refund", {"reason": "wrong shop"}),
]


@pytest.mark.parametrize("method, path, body", ROUTES)
@pytest.mark.parametrize("owner, caller", [("live", "test"), ("test", "live")])
def test_the_other_modes_voucher_is_404_on_every_route(
    acme, live_voucher, test_voucher, api_client, method, path, body, owner, caller
):
    voucher = live_voucher if owner == "live" else test_voucher
    for credential in _credentials(api_client, acme, caller):
        status, problem = api_client.call(method, path.format(id=voucher["id"]), body, **credential)
        assert status == 404 and problem["code"] == "voucher-not-found"
    stored = Voucher.objects.get(pk=voucher["id"])
    assert stored.state == "RESERVED" and stored.events.count() == 1


@pytest.mark.parametrize("mode", ["live", "test"])
def test_each_mode_lists_only_its_own_vouchers(acme, live_voucher, test_voucher, api_client, mode):
    own = live_voucher if mode == "live" else test_voucher
    other = test_voucher if mode == "live" else live_voucher
    for credential in _credentials(api_client, acme, mode):
        status, page = api_client.get("/v2/vouchers", **credential)
        assert status == 200 and [v["id"] for v in page["items"]] == [own["id"]]
        status, page = api_client.get(
            f"/v2/vouchers?notificationKey={other['notificationKey']}", **credential
        )
        assert page["items"] == []
        status, statements = api_client.get("/v2/statements", **credential)
        assert status == 200


def test_a_session_of_one_mode_reads_only_its_own_voucher(acme, test_creds, api_client):
    status, live = api_client.exchange(partner_token(acme.issued.apiSignature, **SHOPPER))
    status, test = api_client.exchange(partner_token(test_creds["apiSignature"], **SHOPPER))
    status, voucher = api_client.post(RESERVE, {"value": 30}, bearer=test["access_token"])
    status, _ = api_client.get(f"/v2/voucher/{voucher['id']}", bearer=live["access_token"])
    assert status == 404
    status, read = api_client.get(f"/v2/voucher/{voucher['id']}", bearer=test["access_token"])
    assert status == 200 and read["livemode"] is False


def test_the_same_notification_key_is_one_voucher_per_mode(acme, test_creds, api_client):
    claims = {**SHOPPER, "notificationKey": "order-1"}
    answers = []
    for signature in (acme.issued.apiSignature, test_creds["apiSignature"]):
        status, body = api_client.exchange(partner_token(signature, **claims))
        status, voucher = api_client.post(RESERVE, {"value": 30}, bearer=body["access_token"])
        assert status == 201
        answers.append(voucher)
    assert answers[0]["id"] != answers[1]["id"]
    assert [a["livemode"] for a in answers] == [True, False]


def test_a_test_client_secret_with_another_partners_id_is_refused(
    acme, test_creds, make_partner, api_client
):
    make_partner("beta", domains=["beta.example"])
    status, problem = api_client.call(
        "post",
        "/v2/token",
        {
            "grant_type": "client_credentials",
            "client_id": "beta",
            "client_secret": test_creds["clientSecret"],
        },
    )
    assert status == 401 and problem["code"] == "invalid-client"


def test_the_twins_own_id_names_no_partner(acme, test_creds, api_client):
    token = partner_token(test_creds["apiSignature"], **SHOPPER)
    status, problem = api_client.call(
        "post", "/v2/token", {"client_id": "acme~test", "assertion": token}
    )
    assert status == 401 and problem["code"] == "unknown-partner"


def test_the_merchant_api_refuses_a_test_vouchers_code(acme, test_creds, api_client):
    from jackpot.catalog.models import Store
    from jackpot.vouchers.codes import merchant

    voucher = reserve(api_client, test_creds["apiSignature"])
    api_client.put(f"/v2/voucher/{voucher['id']}/confirm", apikey=test_creds["apiKey"])
    [code] = Code.objects.filter(voucher_id=voucher["id"])
    key = merchant.issue_store_key(Store.objects.get(pk="sportmax"))
    for route in ("check", "redeem"):
        status, problem = api_client.post(
            f"/v2/merchant/codes/{route}", {"code": code.code}, bearer=key
        )
        assert status == 422 and problem["code"] == "test-voucher-code"
    code.refresh_from_db()
    assert code.redeemed_at is None


def test_live_credentials_behave_as_before(acme, api_client):
    voucher = reserve(api_client, acme.issued.apiSignature)
    status, confirmed = api_client.put(
        f"/v2/voucher/{voucher['id']}/confirm", apikey=acme.issued.apiKey
    )
    assert status == 200 and confirmed["livemode"] is True
    [code] = Code.objects.filter(voucher_id=voucher["id"])
    assert not code.code.startswith("TEST")


@pytest.mark.parametrize("suffix", ["", "/csv", "/pdf"])
def test_a_live_statement_is_404_to_test_credentials(acme, api_client, suffix):
    from datetime import timedelta

    from django.utils import timezone

    from jackpot.vouchers import lifecycle, payments

    voucher = reserve(api_client, acme.issued.apiSignature)
    lifecycle.transition(voucher["id"], "confirm", "test")
    now = timezone.now()
    statement = payments.issue_statement(
        acme, now - timedelta(days=1), now + timedelta(days=1), "op"
    )
    path = f"/v2/statements/{statement.pk}{suffix}"
    assert api_client.raw.get(path, HTTP_APIKEY=acme.issued.apiKey).status_code == 200
    for credential in _credentials(api_client, acme, "test"):
        status, problem = api_client.get(path, **credential)
        assert status == 404 and problem["code"] == "statement-not-found"
    status, page = api_client.get("/v2/statements", apikey=acme.issued.test["apiKey"])
    assert page["items"] == []
