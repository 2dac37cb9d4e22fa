"""Portal fixtures: a second partner, the partners' users, a logged-in client, portal pages,
and `shop`: acme with a month of vouchers, for the browser tests.

`acme` and `make_voucher` come from support/partners.py, `browser` from support/browser.py.
"""

import functools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.ledger import services as ledger
from jackpot.partners.services import create_partner_user
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import State, Voucher
from jackpot.vouchers.rollup import rebuild
from jackpot.webhooks.models import Attempt, Delivery
from support.portal import PASSWORD
from support.reservations import reserve


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


# (store, offer, value): a spread of vouchers over the small catalogue's three stores
ORDERS = [
    ("sportmax", "sportmax-launch", 110),
    ("sportmax", "sportmax-launch", 54),
    ("bookly", "bookly-min", 50),
    ("mixte", "mixte-all.majoration", 60),
    ("sportmax", "sportmax-launch", 30),
    ("bookly", "bookly-min", 20),
    ("mixte", "mixte-all.minoration", 100),
    ("sportmax", "sportmax-launch", 75),
]


@pytest.fixture
def shop(acme, alice, live_server):
    """acme with a month of confirmed vouchers, three pending ones, a statement, a wallet."""
    now = timezone.now()
    due = []
    for i in range(18):
        store, offer, value = ORDERS[i % len(ORDERS)]
        voucher = reserve(
            acme, acme.signature, value=value, store=store, offer=offer, userId=f"user-{100 + i}"
        )
        lifecycle.transition(voucher.pk, "confirm", "partner:acme")
        moment = now - timedelta(days=(i * 5) % 27, hours=i)
        Voucher.objects.filter(pk=voucher.pk).update(confirm_date=moment, reservation_date=moment)
        if i < 6:
            due.append(voucher)
    rebuild()  # the dashboard's days follow the confirmation dates moved above
    payments.issue_statement(
        acme, now - timedelta(days=40), now - timedelta(days=3), "operator:ops"
    )
    ledger.credit_wallet(
        acme, Decimal("750.00"), reference="wire 2026-11", created_by="operator:ops"
    )
    ledger.wallet_account(acme).__class__.objects.filter(partner=acme).update(
        low_balance_threshold=Decimal("200.00")
    )
    ready = Voucher.objects.filter(partner=acme, state=State.CONFIRMED).first()
    Voucher.objects.filter(pk=ready.pk).update(state=State.READY)
    delivery = Delivery.objects.filter(
        partner=acme, event__notification_key=ready.notification_key
    ).first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=2, last_status_code=503, last_error="Service Unavailable"
    )
    for n, code in ((1, 500), (2, 503)):
        Attempt.objects.create(
            delivery=delivery,
            number=n,
            started_at=now - timedelta(minutes=10 - n),
            duration_ms=120 * n,
            status_code=code,
        )
    pending = [reserve(acme, acme.signature, value=v) for v in (30, 54, 110)]
    return {"pending": pending, "ready": ready, "url": live_server.url}
