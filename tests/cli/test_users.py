"""`jackpot users show|erase PARTNER USER_ID`: the operator's way to answer a user's request."""

import json

import pytest

from jackpot.vouchers.models import PersonalDataErasure, Voucher
from support.cli import run_main
from support.reservations import reserve

pytestmark = pytest.mark.django_db


def test_show_prints_what_is_held_and_erase_erases_it_once(capsys, partner, catalog):
    voucher = reserve(partner, email="jeanne@example.com")

    code, out, _ = run_main(capsys, "users", "show", "acme", "user-42")
    assert code == 0
    shown = json.loads(out)
    assert [v["id"] for v in shown["vouchers"]] == [str(voucher.pk)]
    assert shown["sessions"][0]["cp"] == "75011"

    code, out, _ = run_main(capsys, "users", "erase", "acme", "user-42")
    assert code == 0
    assert json.loads(out)["erased"]["vouchers"] == 1
    assert Voucher.objects.get(pk=voucher.pk).email == ""
    code, out, _ = run_main(capsys, "users", "erase", "acme", "user-42")
    assert json.loads(out)["erased"] == {"vouchers": 0, "sessions": 0, "notifications": 0}
    actors = set(PersonalDataErasure.objects.values_list("actor", flat=True))
    assert len(actors) == 1 and actors.pop().startswith("operator:cli")

    code, out, _ = run_main(capsys, "users", "show", "acme", "user-42")
    assert json.loads(out)["vouchers"] == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (("users", "show", "nobody", "user-42"), "no partner 'nobody'"),
        (("users", "erase", "acme", "x" * 129), "userId: must be 1 to 128"),
        (("users", "erase", "acme", "tab\there"), "userId: must be 1 to 128"),
    ],
)
def test_bad_arguments_are_refused_without_a_change(capsys, partner, argv, message):
    code, _, err = run_main(capsys, *argv)
    assert code == 2 and message in err
    assert not PersonalDataErasure.objects.exists()
