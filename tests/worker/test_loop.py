"""The worker loop as `jackpot worker` runs it: a pass expires the reservations past their expiry
and only those, a database outage is waited out, a bug is not mistaken for one."""

import signal
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jackpot.catalog.models import Campaign
from jackpot.cli import main
from jackpot.vouchers.models import Voucher, VoucherEvent
from support.reservations import reserve_via_api

pytestmark = pytest.mark.django_db


# transaction=True: the worker calls close_old_connections(), which drops a connection left
# outside autocommit, as a test wrapped in a transaction is.
@pytest.mark.django_db(transaction=True)
def test_worker_once_expires_a_reservation_past_its_expiry(
    capsys, keep_sigterm_handler, make_partner, catalog, api_client, build_token
):
    make_partner("acme", confirmation_mode="manual")
    body = reserve_via_api(api_client, build_token())
    assert body["state"] == "RESERVED"
    assert Campaign.objects.get(pk="sportmax-launch").bonus_spent > 0
    Voucher.objects.filter(pk=body["id"]).update(
        resa_expire_date=timezone.now() - timedelta(minutes=1)
    )

    assert main(["worker", "--once"]) == 0

    voucher = Voucher.objects.get(pk=body["id"])
    assert voucher.state == "EXPIRED"
    assert voucher.expired_date is not None
    event = VoucherEvent.objects.get(voucher=voucher, to_state="EXPIRED")
    assert (event.from_state, event.actor, event.code) == ("RESERVED", "worker", "expired")
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.bonus_spent == Decimal("0.00")
    assert campaign.vouchers_issued == 0


@pytest.mark.django_db(transaction=True)
def test_worker_once_leaves_a_reservation_not_yet_expired(
    capsys, keep_sigterm_handler, make_partner, catalog, api_client, build_token
):
    make_partner("acme", confirmation_mode="manual")
    body = reserve_via_api(api_client, build_token())

    assert main(["worker", "--once"]) == 0

    assert Voucher.objects.get(pk=body["id"]).state == "RESERVED"
    assert Campaign.objects.get(pk="sportmax-launch").vouchers_issued == 1


def _outage():
    """What Django raises when PostgreSQL refuses connections (psycopg's error as its cause)."""
    import psycopg
    from django.db import OperationalError

    try:
        raise psycopg.OperationalError("connection refused")
    except psycopg.OperationalError as cause:
        try:
            raise OperationalError("connection refused") from cause
        except OperationalError as error:
            return error


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_a_database_outage_and_carries_on(
    keep_sigterm_handler, monkeypatch, capfd, make_partner, catalog, api_client, build_token
):
    import os

    from jackpot.vouchers import lifecycle

    make_partner("acme", confirmation_mode="manual")
    _, body = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
        {"value": 30},
        bearer=api_client.session(build_token()),
    )
    Voucher.objects.filter(pk=body["id"]).update(
        resa_expire_date=timezone.now() - timedelta(minutes=1)
    )
    real_expire, passes = lifecycle.expire_due, []

    def expire_due():  # the database is away for the first pass, back for the second
        passes.append(1)
        if len(passes) == 1:
            raise _outage()
        expired = real_expire()
        os.kill(os.getpid(), signal.SIGTERM)  # stop after this pass
        return expired

    monkeypatch.setattr(lifecycle, "expire_due", expire_due)

    assert main(["worker", "--interval", "0.01"]) == 0

    assert len(passes) == 2
    assert Voucher.objects.get(pk=body["id"]).state == "EXPIRED"
    assert "database unavailable" in capfd.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_a_bug_in_the_worker_is_not_mistaken_for_an_outage(keep_sigterm_handler, monkeypatch):
    from django.db import OperationalError

    from jackpot.vouchers import lifecycle

    def broken():
        raise OperationalError("no such table: vouchers_voucher")  # no driver cause: a bug

    monkeypatch.setattr(lifecycle, "expire_due", broken)
    with pytest.raises(OperationalError):
        main(["worker", "--once"])
