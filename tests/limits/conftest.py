"""Abuse-limit fixtures: `acme` with limits to set, and `beta`, a partner beside it."""

import pytest

from jackpot.partners import limits


@pytest.fixture
def limited(partner, catalog):
    """`acme` (confirming automatically) with the limits a test names, by their API names."""

    def set_limits(**values):
        limits.set_limits(partner, values, clear=True)
        partner.refresh_from_db()
        return partner

    return set_limits


@pytest.fixture
def beta(make_partner):
    return make_partner("beta", domains=["beta.example"])
