"""Operator admin fixtures: an operator (superuser), partners with vouchers, a browser."""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import shared_playwright  # noqa: E402

shared_playwright.install()

import shutil  # noqa: E402

import pytest  # noqa: E402
from admin_support import OPERATOR_PASSWORD  # noqa: E402

CHROMIUM = shutil.which("chromium")


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
def acme(make_partner, catalog):
    partner = make_partner(
        "acme", confirmation_mode="manual", notification_url="https://hooks.acme.example/jackpot"
    )
    partner.signature = partner.issued.apiSignature
    return partner


@pytest.fixture
def make_voucher():
    from admin_support import reserve

    def make(partner, value=30, **claims):
        return reserve(partner, partner.signature, value=value, **claims)

    return make


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(
            "Chromium not found on PATH (Debian: apt-get install chromium); browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    )
    yield chromium
    chromium.close()
    playwright.stop()
