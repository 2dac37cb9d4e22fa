"""The CLI in test mode: `partner create` prints the live and the test credentials, `partner
rotate … --test` renews a test one only, `token build --test` signs a test token."""

import json

import pytest

from jackpot.partners import credentials
from jackpot.partners.models import Partner
from jackpot.tokens import verification
from support.cli import run_main

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(capsys):
    code, out, _ = run_main(capsys, "partner", "create", "Shop", "--domain", "shop.example")
    assert code == 0
    return json.loads(out)


def test_partner_create_prints_both_sets_of_credentials(shop):
    assert set(shop) == {"id", "apiSignature", "apiKey", "clientSecret", "webhookSecret", "test"}
    assert set(shop["test"]) == {"apiSignature", "apiKey", "clientSecret", "webhookSecret"}
    assert shop["test"]["apiKey"].startswith("jpk_test_")
    twin = Partner.objects.get(live_partner_id=shop["id"])
    assert credentials.partner_for_api_key(shop["test"]["apiKey"]) == twin
    assert credentials.partner_for_api_key(shop["apiKey"]).pk == "shop"


@pytest.mark.parametrize(
    "credential, field",
    [
        ("api-signature", "apiSignature"),
        ("api-key", "apiKey"),
        ("client-secret", "clientSecret"),
        ("webhook-secret", "webhookSecret"),
    ],
)
def test_rotate_with_test_renews_the_test_credential_only(shop, capsys, credential, field):
    code, out, _ = run_main(capsys, "partner", "rotate", "shop", credential, "--test")
    answer = json.loads(out)
    assert code == 0 and answer["id"] == "shop" and answer["livemode"] is False
    assert answer[field] not in (shop[field], shop["test"][field])
    live = Partner.objects.get(pk="shop")
    twin = credentials.test_twin(live)
    if field == "apiKey":
        assert credentials.partner_for_api_key(answer[field]) == twin
        assert credentials.partner_for_api_key(shop["apiKey"]) == live
        assert credentials.partner_for_api_key(shop["test"]["apiKey"]) is None
    if field == "webhookSecret":
        assert twin.webhook_secret == answer[field] and live.webhook_secret == shop[field]
    if field == "apiSignature":
        assert answer[field] in credentials.valid_signatures(twin)
        assert credentials.valid_signatures(live) == [shop["apiSignature"]]


def test_rotate_without_test_renews_the_live_credential(shop, capsys):
    code, out, _ = run_main(capsys, "partner", "rotate", "shop", "api-key")
    answer = json.loads(out)
    assert code == 0 and answer["livemode"] is True and answer["apiKey"].startswith("jpk_")
    assert not answer["apiKey"].startswith("jpk_test_")


def test_rotate_refuses_the_twins_own_id(shop, capsys):
    code, _, err = run_main(capsys, "partner", "rotate", "shop~test", "api-key")
    assert code != 0 and "--test" in err


def test_token_build_test_signs_a_test_token(shop, capsys):
    code, out, _ = run_main(
        capsys, "token", "build", "--partner", "shop", "--amount", "20", "--test"
    )
    assert code == 0
    verified = verification.verify(out.strip(), client_id="shop")
    assert verified.partner.is_test and verified.partner.live_id == "shop"
    code, out, _ = run_main(capsys, "token", "verify", out.strip())
    report = json.loads(out)
    assert report["partner"] == "shop" and report["livemode"] is False


def test_the_test_apikey_and_client_secret_are_kept_as_digests_only(shop):
    twin = Partner.objects.filter(live_partner_id="shop").values().get()
    stored = [str(value) for value in twin.values()]
    for secret in (shop["test"]["apiKey"], shop["test"]["clientSecret"]):
        assert not any(secret in value for value in stored)
    assert twin["api_key_digest"] == credentials.digest(shop["test"]["apiKey"])
