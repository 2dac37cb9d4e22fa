"""Fixtures of the portal and operator tests (registered by tests/conftest.py): `acme`, a partner
that confirms by hand and hears of its vouchers, and `make_voucher`, its vouchers."""

import pytest

from support.reservations import reserve


@pytest.fixture
def acme(make_partner, catalog):
    partner = make_partner(
        "acme", confirmation_mode="manual", notification_url="https://hooks.acme.example/jackpot"
    )
    partner.signature = partner.issued.apiSignature
    return partner


@pytest.fixture
def make_voucher():
    """`make_voucher(partner, value=30, **claims)`: a RESERVED voucher (support.reservations)."""

    def make(partner, value=30, **claims):
        return reserve(partner, partner.signature, value=value, **claims)

    return make
