"""Operator admin fixtures: an operator (superuser), its logged-in client, and `data`: a reserved
and a confirmed voucher of acme.

`acme` and `make_voucher` come from support/partners.py, `browser` from support/browser.py.
"""

import pytest

from jackpot.vouchers import lifecycle
from support.admin import OPERATOR_PASSWORD


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser(
        "ops", "ops@jackpot.example", OPERATOR_PASSWORD
    )


@pytest.fixture
def ops_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def data(acme, make_voucher):
    reserved = make_voucher(acme, 30)
    confirmed = make_voucher(acme, 54)
    lifecycle.transition(confirmed.pk, "confirm", "test")
    return reserved, confirmed
