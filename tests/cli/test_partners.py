"""`jackpot partner create --session-ceiling`: an amount as every command reads one."""

import json
from decimal import Decimal

import pytest

from jackpot.cli import main
from jackpot.partners.models import Partner
from support.cli import NOTIFIED_SHOP

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
