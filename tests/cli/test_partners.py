"""`jackpot partner create`: every credential printed once as JSON, only digests kept, the given
signature and key used, refusals (an id taken, a notification mode without its URL, a session
ceiling that is not an amount)."""

import json
from decimal import Decimal

import pytest

from jackpot.cli import main
from jackpot.partners import credentials
from jackpot.partners.models import Partner
from support.cli import NOTIFIED_SHOP, run_main

pytestmark = pytest.mark.django_db


def create(capsys, ceiling):
    code = main(["partner", "create", "Shop", "--domain", "shop.example"] + ceiling)
    return code, capsys.readouterr()


def test_the_session_ceiling_is_kept_to_the_cent(capsys):
    code, captured = create(capsys, ["--session-ceiling", "250,50"])

    assert code == 0 and json.loads(captured.out)["id"] == "shop"
    assert Partner.objects.get(pk="shop").session_ceiling == Decimal("250.50")


@pytest.mark.parametrize("typed", ["100_0", "1e3", "0", "12.345"])
def test_a_session_ceiling_that_is_not_an_amount_creates_no_partner(capsys, typed):
    code, captured = create(capsys, ["--session-ceiling", typed])

    assert (code, captured.out) == (2, "")
    assert f"--session-ceiling: {typed!r}" in captured.err
    assert not Partner.objects.exists()


def test_a_notification_url_that_is_not_a_url_names_the_field(capsys):
    code = main([*NOTIFIED_SHOP, "--notification-url", "not a url"])

    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert "jackpot: notification_url: " in captured.err
    assert not Partner.objects.exists()


def test_partner_create_prints_every_credential_as_json(capsys):
    code, out, _ = run_main(capsys, "partner", "create", "Shop One", "--domain", "shop.example")

    assert code == 0
    issued = json.loads(out)
    assert set(issued) == {"id", "apiSignature", "apiKey", "clientSecret", "webhookSecret", "test"}
    assert set(issued["test"]) == {"apiSignature", "apiKey", "clientSecret", "webhookSecret"}
    assert issued["id"] == "shop-one"
    assert len(issued["apiSignature"]) >= 43  # 256 random bits, base64url
    assert issued["apiKey"] and issued["clientSecret"]
    assert issued["webhookSecret"].startswith("whsec_")
    partner = Partner.objects.get(pk="shop-one")
    assert partner.name == "Shop One"
    assert partner.domain_list == ["shop.example"]
    assert partner.confirmation_mode == "auto"
    assert credentials.valid_signatures(partner) == [issued["apiSignature"]]
    assert credentials.partner_for_api_key(issued["apiKey"]) == partner
    assert credentials.check_client_secret(partner, issued["clientSecret"])


def test_partner_create_keeps_digests_not_the_api_key_or_client_secret(capsys):
    _, out, _ = run_main(capsys, "partner", "create", "Shop One", "--domain", "shop.example")
    issued = json.loads(out)

    stored = [str(value) for value in Partner.objects.filter(pk="shop-one").values().get().values()]

    for secret in (issued["apiKey"], issued["clientSecret"]):
        assert not any(secret in value for value in stored)
    partner = Partner.objects.get(pk="shop-one")
    assert partner.api_key_digest == credentials.digest(issued["apiKey"])
    assert partner.client_secret_digest == credentials.digest(issued["clientSecret"])


def test_partner_create_uses_the_given_signature_and_key(capsys):
    code, out, _ = run_main(
        capsys,
        "partner",
        "create",
        "Shop Two",
        "--domain",
        "two.example",
        "--domain",
        "shop2.example",
        "--id",
        "two",
        "--confirmation",
        "manual",
        "--api-signature",
        "my-own-signature-1234",
        "--api-key",
        "my-own-api-key",
    )

    assert code == 0
    issued = json.loads(out)
    assert (issued["id"], issued["apiSignature"], issued["apiKey"]) == (
        "two",
        "my-own-signature-1234",
        "my-own-api-key",
    )
    partner = Partner.objects.get(pk="two")
    assert partner.confirmation_mode == "manual"
    assert partner.domain_list == ["two.example", "shop2.example"]
    assert credentials.valid_signatures(partner) == ["my-own-signature-1234"]
    assert credentials.partner_for_api_key("my-own-api-key") == partner


def test_partner_create_refuses_an_id_already_taken(capsys):
    assert (
        run_main(capsys, "partner", "create", "A", "--domain", "a.example", "--id", "same")[0] == 0
    )

    code, out, err = run_main(
        capsys, "partner", "create", "B", "--domain", "b.example", "--id", "same"
    )

    assert code == 2
    assert out == ""
    assert "same" in err and "already exists" in err
    assert Partner.objects.get(pk="same").name == "A"


def test_notification_confirmation_needs_a_notification_url(capsys):
    code, out, err = run_main(capsys, *NOTIFIED_SHOP)
    assert code == 2 and out == ""
    assert "--notification-url" in err

    code, out, _ = run_main(
        capsys, *NOTIFIED_SHOP, "--notification-url", "https://shop.example/hook"
    )
    assert code == 0
    assert Partner.objects.get(pk=json.loads(out)["id"]).confirmation_mode == "notification"
