"""The API tests' partner: `acme`, confirming by hand, and a voucher it holds reserved; and the
world the schema tests run against."""

import pytest

from support.fuzz import SIGNATURE, World
from support.reservations import reserve_via_api


@pytest.fixture
def acme(make_partner):
    return make_partner("acme", confirmation_mode="manual")


@pytest.fixture
def reserved(acme, catalog, api_client, build_token):
    """A RESERVED voucher of `acme`, as the API answered its reservation."""
    return reserve_via_api(api_client, build_token())


@pytest.fixture
def world(make_partner, catalog, settings):
    """`acme` with credentials of every kind and vouchers in each state, `other` beside it."""
    # Rate limits are not what these tests are about (and 429 is undocumented: see
    # test_schema_findings.py).
    settings.JACKPOT_RATE_LIMIT = 0
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 0
    from jackpot.vouchers import lifecycle

    partner = make_partner("acme", confirmation_mode="manual", api_signature=SIGNATURE)
    other = make_partner("other", domains=["other.example"])
    world = World(partner, other)
    world.foreign = world.reserve(world.session(other))
    for state, action in (("RESERVED", None), ("CONFIRMED", "confirm"), ("CANCELED", "cancel")):
        for _ in range(2):
            voucher = world.reserve()
            if action:
                voucher = lifecycle.transition(voucher.pk, action, "test", partner_id=partner.pk)
            world.vouchers[state].append(voucher)
    return world
