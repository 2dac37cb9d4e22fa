"""The API tests' partner: `acme`, confirming by hand, and a voucher it holds reserved."""

import pytest

from support.reservations import reserve_via_api


@pytest.fixture
def acme(make_partner):
    return make_partner("acme", confirmation_mode="manual")


@pytest.fixture
def reserved(acme, catalog, api_client, build_token):
    """A RESERVED voucher of `acme`, as the API answered its reservation."""
    return reserve_via_api(api_client, build_token())
