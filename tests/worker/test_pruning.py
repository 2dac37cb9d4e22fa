"""Pruning on the worker's schedule and with `jackpot prune` (worker/pruning.py): at start, then
every JACKPOT_PRUNE_INTERVAL, again on the next pass while a backlog is left; envelopes sent to
nobody only once the deliveries due to go are gone."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jackpot.api.models import IdempotencyRecord
from jackpot.cli import main
from jackpot.core.pruning import Budget
from jackpot.tokens.models import TokenBurn
from jackpot.webhooks import outbox
from jackpot.webhooks.models import Delivery, DeliveryStatus, OutboxEvent
from jackpot.worker import pruning

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=400)


def old_burns(partner, count: int) -> None:
    TokenBurn.objects.bulk_create(
        TokenBurn(partner=partner, digest=f"{n:064x}", burned_at=timezone.now() - LONG_AGO)
        for n in range(count)
    )


def test_a_worker_prunes_at_once_then_waits_for_the_interval(partner):
    old_burns(partner, 2)
    schedule = pruning.Schedule(interval=3600)

    assert schedule.run_due() == 2
    old_burns(partner, 1)
    assert schedule.run_due() == 0  # not due again for an hour
    assert TokenBurn.objects.count() == 1


def test_a_backlog_is_pruned_over_the_next_passes_in_bounded_runs(partner):
    old_burns(partner, 5)
    schedule = pruning.Schedule(interval=3600, budget=Budget(batch_size=2, max_batches=1))

    assert [schedule.run_due() for _ in range(4)] == [2, 2, 1, 0]
    assert not TokenBurn.objects.exists()


def test_a_stopping_worker_prunes_nothing_more(partner):
    old_burns(partner, 1)
    run = pruning.prune(should_stop=lambda: True)
    assert run.deleted == {} and run.unfinished
    assert TokenBurn.objects.count() == 1


def write(partner, count: int) -> None:
    with transaction.atomic():
        for n in range(count):
            outbox.enqueue(partner, "store/update", store_id="sportmax", data={"n": n})


def test_envelopes_sent_to_nobody_wait_until_the_deliveries_are_worked_off(make_partner):
    hooked = make_partner("acme", notification_url="https://acme.example/hooks")
    silent = make_partner("beta", domains=["beta.example"])
    write(hooked, 3)
    write(silent, 1)
    Delivery.objects.update(
        status=DeliveryStatus.DELIVERED,
        updated_at=F("updated_at") - LONG_AGO,
        next_attempt_at=F("next_attempt_at") - LONG_AGO,
    )
    OutboxEvent.objects.update(created_at=F("created_at") - LONG_AGO)

    first = pruning.prune(budget=Budget(batch_size=2, max_batches=1))
    assert first.deleted["webhookDeliveries"] == 2 and "unsentEnvelopes" not in first.deleted
    assert first.unfinished

    second = pruning.prune(budget=Budget(batch_size=2, max_batches=1))
    assert second.deleted["webhookDeliveries"] == 1 and second.deleted["unsentEnvelopes"] == 1
    assert not second.unfinished
    assert not OutboxEvent.objects.exists()


# transaction=True: the worker calls close_old_connections(), which drops a connection left
# outside autocommit, as a test wrapped in a transaction is.
@pytest.mark.django_db(transaction=True)
def test_worker_once_and_jackpot_prune_delete_what_is_past_its_retention(
    partner, capsys, keep_sigterm_handler
):
    old_burns(partner, 2)
    IdempotencyRecord.objects.create(scope="s", key="k", fingerprint="f")
    IdempotencyRecord.objects.update(created_at=timezone.now() - LONG_AGO)

    assert main(["worker", "--once"]) == 0
    assert not TokenBurn.objects.exists() and not IdempotencyRecord.objects.exists()

    old_burns(partner, 1)
    capsys.readouterr()
    assert main(["prune"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "idempotencyRecords": 0,
        "tokenBurns": 1,
        "webhookDeliveries": 0,
        "unsentEnvelopes": 0,
        "deliveryJobs": 0,
        "sessions": 0,
        "personalDataVouchers": 0,
        "personalDataSessions": 0,
        "backofficeLogins": 0,
    }


@pytest.mark.parametrize("days", [0, -5, True])
def test_jackpot_prune_refuses_a_personal_data_retention_under_a_day(db, capsys, settings, days):
    settings.JACKPOT_PERSONAL_DATA_RETENTION_DAYS = days
    assert main(["prune"]) == 2
    assert "JACKPOT_PERSONAL_DATA_RETENTION_DAYS must be" in capsys.readouterr().err


def test_jackpot_prune_refuses_a_retention_under_a_day(db, capsys, settings):
    settings.JACKPOT_SESSION_RETENTION_DAYS = 0
    assert main(["prune"]) == 2
    assert "JACKPOT_SESSION_RETENTION_DAYS must be" in capsys.readouterr().err


@pytest.mark.postgres
def test_idempotency_records_and_burns_are_read_through_their_date_indexes():
    from jackpot.api import idempotency
    from jackpot.core.pruning import batch
    from jackpot.tokens import sessions
    from support.explain import assert_uses_index
    from support.indexes import index_on

    now = timezone.now()
    assert_uses_index(
        batch(idempotency.expired(now), 1000), index_on(IdempotencyRecord, "created_at")
    )
    assert_uses_index(batch(sessions.stale_burns(now), 1000), index_on(TokenBurn, "burned_at"))


def test_expired_backoffice_logins_go_live_ones_stay(client, admin_user):
    from django.contrib.sessions.models import Session as LoginSession

    client.force_login(admin_user)
    live = LoginSession.objects.get()
    LoginSession.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert pruning.prune().deleted["backofficeLogins"] == 1
    assert list(LoginSession.objects.all()) == [live]


@pytest.mark.postgres
def test_ended_logins_are_read_through_their_expiry_index():
    from django.contrib.sessions.models import Session as LoginSession

    from jackpot.core.pruning import batch
    from support.explain import assert_uses_index
    from support.indexes import index_on

    assert_uses_index(
        batch(pruning.ended_logins(timezone.now()), 1000), index_on(LoginSession, "expire_date")
    )
