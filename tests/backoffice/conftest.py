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


@pytest.fixture
def grown(data):
    """A row in every table that grows: `data`'s vouchers with their journal, sessions, token
    burns, notifications and deliveries; the confirmed one's PDF made (its code, its jobs), a
    wallet top-up sent with an Idempotency-Key, and a request id on what a request wrote."""
    from decimal import Decimal

    from jackpot.ledger import services as ledger
    from jackpot.vouchers.delivery import process_due_jobs
    from jackpot.vouchers.models import DeliveryJob
    from jackpot.webhooks.models import OutboxEvent

    reserved, confirmed = data
    process_due_jobs()
    ledger.credit_wallet(
        confirmed.partner,
        Decimal("100.00"),
        reference="top-up",
        created_by="test",
        idempotency_key="top-up-0001",
    )
    OutboxEvent.objects.filter(notification_key=confirmed.notification_key).update(
        request_id="req-confirmed"
    )
    DeliveryJob.objects.filter(voucher=confirmed).update(request_id="req-confirmed")
    return reserved, confirmed
