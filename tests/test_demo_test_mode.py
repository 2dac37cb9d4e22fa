"""`jackpot demo`'s partner has its test mode: both sets of credentials saved, kept across runs,
issued again when a twin holds secrets nobody saw, and printed in the banner."""

import json

import pytest

from jackpot.demo import banner, ensure_demo_partner
from jackpot.partners import credentials
from jackpot.partners.models import Partner

pytestmark = pytest.mark.django_db


def test_the_demo_partner_saves_and_keeps_its_test_credentials(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = ensure_demo_partner()
    twin = credentials.test_twin(Partner.objects.get(pk="demo"))
    test = first["test"]
    assert credentials.partner_for_api_key(test["apiKey"]) == twin
    assert credentials.valid_signatures(twin) == [test["apiSignature"]]
    assert credentials.check_client_secret(twin, test["clientSecret"])
    assert json.loads((tmp_path / "demo-partner.json").read_text())["test"] == test
    assert ensure_demo_partner()["test"] == test  # a second run keeps them

    text = banner("http://127.0.0.1:8000", first)
    assert test["apiKey"] in text and test["apiSignature"] in text and first["apiKey"] in text
    assert "/demo/?mode=test" in text


def test_unknown_test_credentials_are_issued_again(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = ensure_demo_partner()
    saved = tmp_path / "demo-partner.json"
    data = json.loads(saved.read_text())
    del data["test"]  # a file from before test mode
    saved.write_text(json.dumps(data))
    again = ensure_demo_partner()
    twin = credentials.test_twin(Partner.objects.get(pk="demo"))
    assert again["test"]["apiKey"] != first["test"]["apiKey"]
    assert credentials.partner_for_api_key(again["test"]["apiKey"]) == twin
    assert credentials.valid_signatures(twin) == [again["test"]["apiSignature"]]
