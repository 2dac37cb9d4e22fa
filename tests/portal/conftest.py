"""Portal fixtures: two partners with their users and vouchers, a logged-in client, a browser.

Playwright's sync API keeps an event loop running in this thread, which Django's async-safety
check would take for async code touching the ORM; the tests are plain synchronous code.
"""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import shared_playwright  # noqa: E402

shared_playwright.install()

import pytest  # noqa: E402
from portal_support import CHROMIUM, LAUNCH_ARGS, NO_CHROMIUM, PASSWORD, reserve  # noqa: E402

from jackpot.partners.services import create_partner_user  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Password hashing is not what these tests are about; the slow hasher costs seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme(make_partner, catalog):
    partner = make_partner(
        "acme", confirmation_mode="manual", notification_url="https://hooks.acme.example/jackpot"
    )
    partner.signature = partner.issued.apiSignature
    return partner


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
def make_voucher():
    def make(partner, value=30, **claims):
        return reserve(partner, partner.signature, value=value, **claims)

    return make


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts; any uncaught JavaScript error fails the test."""
    contexts, errors = [], []

    def make(width=1366, height=900, locale="en-GB"):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            locale=locale,
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors
