"""`partners.limits.set_limits`: what every path that edits the limits goes through."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jackpot.partners import limits
from jackpot.partners.models import Partner


def test_a_value_the_fields_refuse_is_named_and_nothing_is_saved(partner):
    limits.set_limits(partner, {"perUserDay": 2})
    with pytest.raises(ValidationError) as refused:
        limits.set_limits(partner, {"perUserMonth": 5, "amountPerUserMonth": Decimal("0")})
    assert limits.validation_message(refused.value).startswith("amountPerUserMonth: ")
    saved = limits.limits_of(Partner.objects.get(pk="acme"))
    assert saved == limits.Limits(per_user_day=2)


def test_an_unknown_limit_is_a_programming_error(partner):
    with pytest.raises(ValueError, match="perWeek"):
        limits.set_limits(partner, {"perWeek": 1})


def test_limits_of_another_partner_stay_as_they_are(partner, make_partner):
    beta = make_partner("beta")
    limits.set_limits(beta, {"perAddressHour": 9})
    limits.set_limits(partner, {"perAddressHour": 1}, clear=True)
    assert limits.limits_of(Partner.objects.get(pk="beta")).per_address_hour == 9


def test_the_test_twin_follows_the_live_partners_limits(partner):
    from jackpot.partners import credentials

    twin = credentials.test_twin(partner)
    limits.set_limits(partner, {"perUserDay": 4, "amountPerUserMonth": Decimal("80")})
    twin.refresh_from_db()
    assert limits.limits_of(twin) == limits.limits_of(Partner.objects.get(pk="acme"))
    assert limits.limits_of(twin).per_user_day == 4


def test_the_cli_refuses_to_set_a_twins_limits(partner, capsys):
    from jackpot.partners import credentials
    from support.cli import run_main

    twin = credentials.test_twin(partner)
    code, out, err = run_main(capsys, "partner", "limits", twin.pk, "--per-user-day", "2")
    assert (code, out) == (2, "")
    assert "test twin" in err and "acme" in err
