"""The merchant API: a store checks and redeems generated codes with its store key."""

import json

import pytest

from jackpot.catalog.models import Store
from jackpot.cli import main
from jackpot.vouchers.codes import generated, merchant
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Code, MerchantKey
from support.reservations import reserve_via_api

CHECK, REDEEM = "/v2/merchant/codes/check", "/v2/merchant/codes/redeem"


def store_key(store_id: str, capsys, *extra) -> str:
    """`jackpot codes store-key STORE`, returning the printed key."""
    assert main(["codes", "store-key", store_id, *extra]) == 0
    return json.loads(capsys.readouterr().out)["storeKey"]


@pytest.fixture
def issued(partner, catalog, api_client, build_token):
    voucher = reserve_via_api(api_client, build_token(), 110)
    process_due_jobs()
    return Code.objects.get(voucher_id=voucher["id"])


def call(api_client, path, code, key):
    return api_client.post(path, {"code": code}, authorization=f"Bearer {key}")


def test_the_store_key_is_printed_once_and_kept_hashed(catalog, capsys):
    key = store_key("sportmax", capsys)
    assert key.startswith("jsk_") and len(key) > 40
    (row,) = MerchantKey.objects.filter(store_id="sportmax")
    assert row.digest != key and key not in row.digest and row.hint == key[:8]
    assert merchant.store_for_key(key) == Store.objects.get(pk="sportmax")


def test_a_store_checks_then_redeems_a_code_once(issued, api_client, capsys):
    key = store_key("sportmax", capsys)
    shown = generated.display(issued.code)

    status, body = call(api_client, CHECK, shown.lower(), key)  # as a cashier types it
    assert status == 200
    assert body == {
        "code": shown,
        "valid": True,
        "status": "valid",
        "value": 110,
        "currency": "EUR",
        "expiry": issued.expiry.isoformat(),
        "redeemed": False,
        "redeemedAt": None,
    }

    status, body = call(api_client, REDEEM, issued.code, key)
    assert status == 200 and body["redeemed"] and body["status"] == "redeemed"
    assert not body["valid"] and body["redeemedAt"].endswith("Z")
    assert Code.objects.get(pk=issued.pk).redeemed_by == "store:sportmax"

    status, problem = call(api_client, REDEEM, issued.code, key)
    assert status == 409 and problem["code"] == "code-already-redeemed"
    assert problem["redeemedAt"] == body["redeemedAt"]
    status, body = call(api_client, CHECK, issued.code, key)
    assert status == 200 and body["redeemed"] and not body["valid"]


def test_a_typo_is_caught_by_the_checksum(issued, api_client, capsys):
    key = store_key("sportmax", capsys)
    code = issued.code
    wrong = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    for typo in (wrong, code[:-1], code + "0", "", "not a code at all"):
        status, problem = call(api_client, CHECK, typo, key)
        assert status in (404, 422), typo
        assert problem["code"] in ("code-not-found", "validation-error")
    status, problem = call(api_client, REDEEM, wrong, key)
    assert status == 404 and problem["code"] == "code-not-found"


def test_a_valid_looking_code_that_was_never_issued_is_not_found(issued, api_client, capsys):
    key = store_key("sportmax", capsys)
    status, problem = call(api_client, CHECK, generated.new_generated_code(), key)
    assert status == 404 and problem["code"] == "code-not-found"


def test_another_stores_key_sees_nothing(issued, api_client, capsys):
    other = store_key("bookly", capsys)
    for path in (CHECK, REDEEM):
        status, problem = call(api_client, path, issued.code, other)
        assert status == 404 and problem["code"] == "code-not-found"
    assert Code.objects.get(pk=issued.pk).redeemed_at is None


def test_no_key_a_wrong_key_or_a_revoked_key_is_401(issued, api_client, partner, capsys):
    old = store_key("sportmax", capsys)
    new = store_key("sportmax", capsys, "--revoke-others")
    for headers in (
        {},
        {"authorization": "Bearer jsk_wrong"},
        {"authorization": f"Bearer {old}"},
        {"apikey": partner.issued.apiKey},  # a partner's key is not a store's
    ):
        status, problem = api_client.post(CHECK, {"code": issued.code}, **headers)
        assert status == 401 and problem["code"] == "unauthenticated"
    status, _ = call(api_client, CHECK, issued.code, new)
    assert status == 200


def test_a_voided_code_cannot_be_redeemed(issued, api_client, partner, capsys):
    from jackpot.vouchers import refunds

    key = store_key("sportmax", capsys)
    voucher_id = issued.voucher_id
    status, _ = api_client.post(f"/v2/voucher/{voucher_id}/refund", apikey=partner.issued.apiKey)
    assert status == 200
    refunds.accept(voucher_id, "operator:test")

    status, body = call(api_client, CHECK, issued.code, key)
    assert status == 200 and body["status"] == "void" and not body["valid"]
    status, problem = call(api_client, REDEEM, issued.code, key)
    assert status == 409 and problem["code"] == "code-void"


def test_an_expired_code_cannot_be_redeemed(issued, api_client, capsys):
    from datetime import date

    key = store_key("sportmax", capsys)
    Code.objects.filter(pk=issued.pk).update(expiry=date(2020, 1, 1))
    status, body = call(api_client, CHECK, issued.code, key)
    assert status == 200 and body["status"] == "expired" and not body["valid"]
    status, problem = call(api_client, REDEEM, issued.code, key)
    assert status == 409 and problem["code"] == "code-expired"


def test_unknown_fields_are_refused(issued, api_client, capsys):
    key = store_key("sportmax", capsys)
    status, problem = api_client.post(
        CHECK, {"code": issued.code, "value": 1}, authorization=f"Bearer {key}"
    )
    assert status == 422 and problem["code"] == "validation-error"
