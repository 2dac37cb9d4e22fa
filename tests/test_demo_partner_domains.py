"""The demo partner owns the port the platform serves its page on, not all of localhost: partners
created later for local development keep their own ports, and the demo keeps working."""

import json

import pytest
from django.core.exceptions import ValidationError

from jackpot.demo import demo_domains, ensure_demo_partner
from jackpot.partners import credentials
from jackpot.partners.models import Partner
from jackpot.tokens.samples import build_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def exchange(client, token, origin):
    return client.post(
        "/v2/token",
        data=json.dumps({"token": token}),
        content_type="application/json",
        HTTP_ORIGIN=origin,
    )


@pytest.mark.parametrize(
    "base, entries",
    [
        ("http://127.0.0.1:8000", ["127.0.0.1:8000", "localhost:8000"]),
        ("http://0.0.0.0:9000", ["127.0.0.1:9000", "localhost:9000"]),
        ("http://192.168.1.5:8000", ["192.168.1.5:8000", "127.0.0.1:8000", "localhost:8000"]),
    ],
)
def test_the_demo_partner_owns_the_serving_port_only(base, entries):
    assert demo_domains(base) == entries


def test_the_demo_and_a_shop_on_another_port_of_localhost_each_get_their_own_exchanges(client):
    ensure_demo_partner("http://localhost:8000")
    shop, issued = credentials.create_partner("Shop", partner_id="shop", domains=["localhost:3000"])

    demo_token = build_token("demo", "100", cp="75000", age=40, gender="M")
    shop_token = build_token("shop", "100", cp="75000", age=40, gender="M")

    assert exchange(client, demo_token, "http://localhost:8000").status_code == 200
    assert exchange(client, shop_token, "http://localhost:3000").status_code == 200


def test_a_later_partner_cannot_take_the_demo_s_port_or_all_of_localhost():
    ensure_demo_partner("http://127.0.0.1:8000")

    for claim in ("localhost", "localhost:8000", "shop.localhost", "127.0.0.1"):
        with pytest.raises(ValidationError) as refused:
            credentials.create_partner("Shop", partner_id="shop", domains=[claim])
        assert "serve your page on a port of its own" in refused.value.messages[0]


def test_the_demo_partner_follows_the_port_it_is_served_on():
    ensure_demo_partner("http://127.0.0.1:8000")

    ensure_demo_partner("http://127.0.0.1:9000")
    ensure_demo_partner()  # the demo page's own call keeps what `jackpot demo` set

    assert Partner.objects.get(pk="demo").domain_list == ["127.0.0.1:9000", "localhost:9000"]


def test_jackpot_demo_on_a_port_another_partner_holds_says_so(capsys, monkeypatch):
    from jackpot.cli import main

    credentials.create_partner("Shop", partner_id="shop", domains=["localhost:8123"])
    monkeypatch.setattr("jackpot.cli.server.serve", lambda *a, **k: pytest.fail("served"))

    code = main(["demo", "--port", "8123"])

    captured = capsys.readouterr()
    assert code == 2
    assert "localhost:8123 is already authorised for another partner" in captured.err
    assert "another --port" in captured.err
