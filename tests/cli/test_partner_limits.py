"""`jackpot partner limits`: shows, sets, removes and clears a partner's abuse limits; a bad
value names its option and changes nothing."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jackpot.partners import limits
from jackpot.partners.models import Partner
from support.cli import run_main

pytestmark = pytest.mark.django_db

NONE_SET = {
    "perUserDay": None,
    "perUserMonth": None,
    "amountPerUserMonth": None,
    "perAddressHour": None,
}


def run(capsys, *options):
    code, out, err = run_main(capsys, "partner", "limits", "acme", *options)
    return code, (json.loads(out) if out else None), err


def test_with_no_option_it_prints_the_limits(capsys, partner):
    code, out, _ = run(capsys)
    assert code == 0
    assert out == {"partner": "acme", "limits": NONE_SET}


def test_it_sets_each_limit_and_keeps_those_it_does_not_name(capsys, partner):
    run(capsys, "--per-user-day", "3", "--per-user-month", "10")
    code, out, _ = run(capsys, "--amount-per-user-month", "500,5", "--per-address-hour", "20")
    assert code == 0
    assert out["limits"] == {
        "perUserDay": 3,
        "perUserMonth": 10,
        "amountPerUserMonth": "500.50",
        "perAddressHour": 20,
    }
    partner.refresh_from_db()
    assert partner.limit_amount_per_user_month == Decimal("500.50")


def test_none_removes_one_limit_and_clear_removes_the_others(capsys, partner):
    run(capsys, "--per-user-day", "3", "--per-user-month", "10", "--per-address-hour", "5")
    _, out, _ = run(capsys, "--per-user-day", "none")
    assert out["limits"]["perUserDay"] is None and out["limits"]["perUserMonth"] == 10
    _, out, _ = run(capsys, "--clear", "--per-address-hour", "7")
    assert out["limits"] == {**NONE_SET, "perAddressHour": 7}
    _, out, _ = run(capsys, "--clear")
    assert out["limits"] == NONE_SET


@pytest.mark.parametrize(
    ("option", "typed"),
    [
        ("--per-user-day", "0"),
        ("--per-user-month", "-1"),
        ("--per-address-hour", "2.5"),
        ("--per-user-day", "1e3"),
        ("--amount-per-user-month", "0"),
        ("--amount-per-user-month", "12.345"),
        ("--per-user-day", "99999999999"),
    ],
)
def test_a_bad_value_names_its_option_and_changes_nothing(capsys, partner, option, typed):
    run(capsys, "--per-user-day", "4")
    code, out, err = run(capsys, "--per-user-month", "9", option, typed)
    assert (code, out) == (2, None)
    assert err.startswith(f"jackpot: {option}: ")
    assert limits.limits_of(Partner.objects.get(pk="acme")).per_user_month is None


def test_an_unknown_partner_is_refused(capsys, db):
    code, out, err = run(capsys)
    assert (code, out) == (2, None)
    assert "no partner 'acme'" in err


# --- what a person may type ----------------------------------------------------------------


@given(st.integers(min_value=1, max_value=limits.LARGEST_COUNT))
def test_every_positive_whole_number_is_a_count(number):
    assert limits.parse_count(f" {number} ") == number


@given(st.text(max_size=12))
def test_a_count_is_a_positive_whole_number_or_a_value_error(text):
    try:
        value = limits.parse_count(text)
    except ValueError as refused:
        assert str(refused)  # a sentence the caller prefixes with the field's name
    else:
        assert isinstance(value, int) and 1 <= value <= limits.LARGEST_COUNT
        assert text.strip().isascii() and text.strip().isdigit()


@given(st.text(max_size=14))
def test_an_amount_limit_is_a_positive_amount_of_two_places_or_a_value_error(text):
    try:
        value = limits.parse_limit("amountPerUserMonth", text)
    except ValueError:
        pass
    else:
        assert value > 0 and value == value.quantize(Decimal("0.01"))


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2))
def test_every_amount_of_two_places_is_taken_as_typed(amount):
    assert limits.parse_limit("amountPerUserMonth", str(amount)) == amount
