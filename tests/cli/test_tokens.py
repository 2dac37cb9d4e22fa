"""`jackpot token build`'s refusals: the sample builder's errors become exit 2 with a message."""

import pytest

from jackpot.cli import main
from jackpot.partners.models import ApiSignature

pytestmark = pytest.mark.django_db


def test_an_amount_that_is_not_a_number_names_the_flag(capsys, partner):
    assert main(["token", "build", "--partner", "acme", "--amount", "lots"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "jackpot: --amount: 'lots' is not a number" in captured.err


def test_a_partner_without_a_valid_signature_gets_no_token(capsys, partner):
    ApiSignature.objects.filter(partner=partner).delete()

    assert main(["token", "build", "--partner", "acme", "--amount", "100"]) == 2

    assert "partner 'acme' has no valid apiSignature" in capsys.readouterr().err
