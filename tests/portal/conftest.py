"""Portal fixtures: a second partner, the partners' users, a logged-in client, portal pages.

`acme` and `make_voucher` come from support/partners.py, `browser` from support/browser.py.
"""

import functools

import pytest

from jackpot.partners.services import create_partner_user
from support.portal import PASSWORD


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Password hashing is not what these tests are about; the slow hasher costs seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def beta(make_partner, catalog):
    partner = make_partner(
        "beta",
        domains=["beta.example"],
        confirmation_mode="manual",
        notification_url="https://hooks.beta.example/jackpot",
    )
    partner.signature = partner.issued.apiSignature
    return partner


@pytest.fixture
def alice(acme):
    profile, _ = create_partner_user(acme, "alice", password=PASSWORD, email="alice@acme.example")
    return profile.user


@pytest.fixture
def bob(beta):
    profile, _ = create_partner_user(beta, "bob", password=PASSWORD, email="bob@beta.example")
    return profile.user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def new_page(new_page):
    """support.browser's pages at a laptop's width, in British English, downloads kept."""
    return functools.partial(new_page, width=1366, locale="en-GB", accept_downloads=True)
