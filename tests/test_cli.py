"""The `jackpot` command (SPEC §12): partner create, token build/verify, catalog import/export,
worker, and the demo partner.

`main([...])` runs a sub-command in-process and returns its exit code: 0 on success, 2 when the
command refuses its input (with a message on stderr).
"""

import base64
import json
import signal
import stat
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.catalog.models import Campaign, Store
from jackpot.cli import main
from jackpot.demo import ensure_demo_partner
from jackpot.partners import credentials
from jackpot.partners.models import ApiSignature, Partner
from jackpot.tokens.models import TokenBurn
from jackpot.vouchers.models import Voucher, VoucherEvent

pytestmark = pytest.mark.django_db


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def b64url_json(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# ---------------------------------------------------------------------------------------------
# partner create
# ---------------------------------------------------------------------------------------------


def test_partner_create_prints_every_credential_as_json(capsys):
    code, out, _ = run(capsys, "partner", "create", "Shop One", "--domain", "shop.example")

    assert code == 0
    issued = json.loads(out)
    assert set(issued) == {"id", "apiSignature", "apiKey", "clientSecret", "webhookSecret"}
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
    _, out, _ = run(capsys, "partner", "create", "Shop One", "--domain", "shop.example")
    issued = json.loads(out)

    stored = [str(value) for value in Partner.objects.filter(pk="shop-one").values().get().values()]

    for secret in (issued["apiKey"], issued["clientSecret"]):
        assert not any(secret in value for value in stored)
    partner = Partner.objects.get(pk="shop-one")
    assert partner.api_key_digest == credentials.digest(issued["apiKey"])
    assert partner.client_secret_digest == credentials.digest(issued["clientSecret"])


def test_partner_create_uses_the_given_signature_and_key(capsys):
    code, out, _ = run(
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
    assert run(capsys, "partner", "create", "A", "--domain", "a.example", "--id", "same")[0] == 0

    code, out, err = run(capsys, "partner", "create", "B", "--domain", "b.example", "--id", "same")

    assert code == 2
    assert out == ""
    assert "same" in err and "already exists" in err
    assert Partner.objects.get(pk="same").name == "A"


def test_notification_confirmation_needs_a_notification_url(capsys):
    code, out, err = run(
        capsys,
        "partner",
        "create",
        "Shop",
        "--domain",
        "shop.example",
        "--confirmation",
        "notification",
    )
    assert code == 2 and out == ""
    assert "--notification-url" in err

    code, out, _ = run(
        capsys,
        "partner",
        "create",
        "Shop",
        "--domain",
        "shop.example",
        "--confirmation",
        "notification",
        "--notification-url",
        "https://shop.example/hook",
    )
    assert code == 0
    assert Partner.objects.get(pk=json.loads(out)["id"]).confirmation_mode == "notification"


# ---------------------------------------------------------------------------------------------
# token build / verify
# ---------------------------------------------------------------------------------------------


def build(capsys, *extra) -> str:
    code, out, err = run(
        capsys,
        "token",
        "build",
        "--partner",
        "acme",
        "--amount",
        "100",
        "--cp",
        "75000",
        "--age",
        "40",
        "--gender",
        "M",
        *extra,
    )
    assert code == 0, err
    return out.strip()


def test_token_build_prints_a_jwt_as_the_integration_guide_builds_it(capsys, partner):
    token = build(capsys)

    header, payload, signature = token.split(".")
    assert b64url_json(header) == {"alg": "HS256", "typ": "JWT"}
    claims = b64url_json(payload)
    assert claims["amount"] == 100 and type(claims["amount"]) is int
    assert (claims["cp"], claims["age"], claims["gender"]) == ("75000", 40, "M")
    assert isinstance(claims["iat"], int)
    assert abs(claims["iat"] - timezone.now().timestamp()) < 60
    assert claims["notificationKey"]
    assert not {"exp", "jti", "iss", "aud"} & set(claims)
    assert signature


def test_token_build_gives_each_token_its_own_notification_key(capsys, partner):
    first, second = (b64url_json(build(capsys).split(".")[1]) for _ in range(2))

    assert first["notificationKey"] != second["notificationKey"]


def test_token_build_passes_the_optional_claims(capsys, partner):
    claims = b64url_json(
        build(capsys, "--user-id", "u-42", "--notification-key", "tx-1").split(".")[1]
    )

    assert (claims["userId"], claims["notificationKey"]) == ("u-42", "tx-1")


def test_token_verify_shows_a_fresh_token_valid_without_burning_it(capsys, partner):
    token = build(capsys)

    code, out, _ = run(capsys, "token", "verify", token, "--client-id", "acme")

    assert code == 0
    report = json.loads(out)
    assert report["signatureValid"] is True
    assert report["alreadyUsed"] is False
    assert report["valid"] is True
    assert report["partner"] == "acme"
    assert report["header"] == {"alg": "HS256", "typ": "JWT"}
    assert report["claims"]["amount"] == 100
    assert TokenBurn.objects.count() == 0
    # and verifying again says the same: the verifier never burns
    assert run(capsys, "token", "verify", token, "--client-id", "acme")[0] == 0
    assert TokenBurn.objects.count() == 0


def test_token_verify_exits_1_on_a_bad_signature(capsys, partner, build_token):
    code, out, _ = run(
        capsys, "token", "verify", build_token(signature="x" * 40), "--client-id", "acme"
    )

    assert code == 1
    report = json.loads(out)
    assert report["signatureValid"] is False and report["valid"] is False
    assert report["problem"]["code"] == "invalid-signature"


def test_token_build_for_an_unknown_partner_exits_2(capsys, partner):
    code, out, err = run(capsys, "token", "build", "--partner", "nobody", "--amount", "100")

    assert code == 2
    assert out == ""
    assert "nobody" in err


# ---------------------------------------------------------------------------------------------
# catalog import / export
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def catalog_file(catalog, tmp_path):
    """conftest's SMALL_CATALOG written to a file; the database emptied of it again."""
    Store.objects.all().delete()
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")
    return path


def test_catalog_import_prints_what_it_created(capsys, catalog_file):
    code, out, _ = run(capsys, "catalog", "import", str(catalog_file))

    assert code == 0
    assert json.loads(out) == {
        "created": [
            "store sportmax",
            "campaign sportmax-launch",
            "store bookly",
            "campaign bookly-min",
            "store mixte",
            "campaign mixte-all",
        ],
        "updated": [],
        "unchanged": [],
    }
    assert Store.objects.count() == 3 and Campaign.objects.count() == 3


def test_catalog_import_of_the_same_file_again_changes_nothing(capsys, catalog_file):
    run(capsys, "catalog", "import", str(catalog_file))

    code, out, _ = run(capsys, "catalog", "import", str(catalog_file))

    assert code == 0
    report = json.loads(out)
    assert report["created"] == [] and report["updated"] == []
    assert len(report["unchanged"]) == 6


def test_catalog_import_of_a_missing_file_exits_2(capsys, db, tmp_path):
    missing = tmp_path / "missing.json"

    code, out, err = run(capsys, "catalog", "import", str(missing))

    assert code == 2
    assert out == ""
    assert "no such file" in err and "missing.json" in err


def test_catalog_import_of_an_invalid_file_exits_2_naming_the_field(capsys, db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"stores": [{"id": "x", "name": "X", "colour": "red"}]}')

    code, _, err = run(capsys, "catalog", "import", str(path))

    assert code == 2
    assert "stores.0.colour" in err
    assert not Store.objects.exists()


def test_catalog_import_of_a_file_that_is_not_json_exits_2(capsys, db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")

    code, _, err = run(capsys, "catalog", "import", str(path))

    assert code == 2
    assert "not valid JSON" in err


def test_catalog_export_writes_a_file_that_reimports_unchanged(capsys, catalog, tmp_path):
    out_file = tmp_path / "out.json"

    code, out, err = run(capsys, "catalog", "export", str(out_file))

    assert code == 0
    assert str(out_file) in err
    exported = json.loads(out_file.read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in exported["stores"]) == ["bookly", "mixte", "sportmax"]
    code, out, _ = run(capsys, "catalog", "import", str(out_file))
    assert code == 0
    report = json.loads(out)
    assert report["created"] == [] and report["updated"] == []
    assert len(report["unchanged"]) == 6


def test_catalog_export_without_a_file_writes_to_stdout(capsys, catalog):
    code, out, _ = run(capsys, "catalog", "export")

    assert code == 0
    assert sorted(s["id"] for s in json.loads(out)["stores"]) == ["bookly", "mixte", "sportmax"]


# ---------------------------------------------------------------------------------------------
# worker
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def keep_sigterm_handler():
    """The worker installs its own SIGTERM handler; give the test process its own back."""
    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


# transaction=True: the worker calls close_old_connections(), which drops a connection left
# outside autocommit, as a test wrapped in a transaction is.
@pytest.mark.django_db(transaction=True)
def test_worker_once_expires_a_reservation_past_its_expiry(
    capsys, keep_sigterm_handler, make_partner, catalog, api_client, build_token
):
    make_partner("acme", confirmation_mode="manual")
    session = api_client.session(build_token())
    status, body = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
        {"value": 30},
        bearer=session,
    )
    assert status == 201, body
    assert body["state"] == "RESERVED"
    assert Campaign.objects.get(pk="sportmax-launch").bonus_spent > 0
    Voucher.objects.filter(pk=body["id"]).update(
        resa_expire_date=timezone.now() - timedelta(minutes=1)
    )

    assert main(["worker", "--once"]) == 0

    voucher = Voucher.objects.get(pk=body["id"])
    assert voucher.state == "EXPIRED"
    assert voucher.expired_date is not None
    event = VoucherEvent.objects.get(voucher=voucher, to_state="EXPIRED")
    assert (event.from_state, event.actor) == ("RESERVED", "worker")
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.bonus_spent == Decimal("0.00")
    assert campaign.vouchers_issued == 0


@pytest.mark.django_db(transaction=True)
def test_worker_once_leaves_a_reservation_not_yet_expired(
    capsys, keep_sigterm_handler, make_partner, catalog, api_client, build_token
):
    make_partner("acme", confirmation_mode="manual")
    status, body = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
        {"value": 30},
        bearer=api_client.session(build_token()),
    )
    assert status == 201, body

    assert main(["worker", "--once"]) == 0

    assert Voucher.objects.get(pk=body["id"]).state == "RESERVED"
    assert Campaign.objects.get(pk="sportmax-launch").vouchers_issued == 1


# ---------------------------------------------------------------------------------------------
# The demo partner
# ---------------------------------------------------------------------------------------------


def test_the_demo_partner_is_created_once_and_recreated_with_its_saved_credentials(
    settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    saved = tmp_path / "demo-partner.json"

    first = ensure_demo_partner()

    demo = Partner.objects.get(pk="demo")
    assert demo.domain_list == ["127.0.0.1:8000", "localhost:8000"]  # JACKPOT_PUBLIC_URL's port
    assert first["id"] == "demo"
    assert credentials.valid_signatures(demo) == [first["apiSignature"]]
    assert credentials.partner_for_api_key(first["apiKey"]) == demo
    assert json.loads(saved.read_text()) == first
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    second = ensure_demo_partner()

    assert second == first
    assert Partner.objects.filter(pk="demo").count() == 1
    assert ApiSignature.objects.filter(partner_id="demo").count() == 1

    Partner.objects.filter(pk="demo").delete()
    third = ensure_demo_partner()

    demo = Partner.objects.get(pk="demo")
    assert (third["apiSignature"], third["apiKey"]) == (first["apiSignature"], first["apiKey"])
    assert credentials.valid_signatures(demo) == [first["apiSignature"]]
    assert credentials.partner_for_api_key(first["apiKey"]) == demo
    assert credentials.check_client_secret(demo, third["clientSecret"])
    assert json.loads(saved.read_text()) == third
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def _outage():
    """What Django raises when PostgreSQL refuses connections (psycopg's error as its cause)."""
    import psycopg
    from django.db import OperationalError

    try:
        raise psycopg.OperationalError("connection refused")
    except psycopg.OperationalError as cause:
        try:
            raise OperationalError("connection refused") from cause
        except OperationalError as error:
            return error


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_a_database_outage_and_carries_on(
    keep_sigterm_handler, monkeypatch, capfd, make_partner, catalog, api_client, build_token
):
    import os

    from jackpot.vouchers import lifecycle

    make_partner("acme", confirmation_mode="manual")
    _, body = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
        {"value": 30},
        bearer=api_client.session(build_token()),
    )
    Voucher.objects.filter(pk=body["id"]).update(
        resa_expire_date=timezone.now() - timedelta(minutes=1)
    )
    real_expire, passes = lifecycle.expire_due, []

    def expire_due():  # the database is away for the first pass, back for the second
        passes.append(1)
        if len(passes) == 1:
            raise _outage()
        expired = real_expire()
        os.kill(os.getpid(), signal.SIGTERM)  # stop after this pass
        return expired

    monkeypatch.setattr(lifecycle, "expire_due", expire_due)

    assert main(["worker", "--interval", "0.01"]) == 0

    assert len(passes) == 2
    assert Voucher.objects.get(pk=body["id"]).state == "EXPIRED"
    assert "database unavailable" in capfd.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_a_bug_in_the_worker_is_not_mistaken_for_an_outage(keep_sigterm_handler, monkeypatch):
    from django.db import OperationalError

    from jackpot.vouchers import lifecycle

    def broken():
        raise OperationalError("no such table: vouchers_voucher")  # no driver cause: a bug

    monkeypatch.setattr(lifecycle, "expire_due", broken)
    with pytest.raises(OperationalError):
        main(["worker", "--once"])
