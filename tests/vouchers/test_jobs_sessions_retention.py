"""What the voucher side prunes (vouchers/retention.py): finished PDF and mail jobs after 30
days, sessions 30 days after they expired; never a pending job, a live session, the session of
a voucher still RESERVED, nor anything of a voucher's accounts."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from jackpot.core.pruning import batch
from jackpot.ledger.models import Entry, Transaction
from jackpot.tokens import sessions
from jackpot.tokens.models import Session
from jackpot.vouchers import retention
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import DeliveryJob, JobStatus, State, Voucher, VoucherEvent
from jackpot.vouchers.retention import FINISHED_JOBS
from support.explain import assert_uses_index
from support.indexes import index_on
from support.reservations import reserve
from support.tokens import partner_token

pytestmark = pytest.mark.django_db


def days_on(days: float):
    return timezone.now() + timedelta(days=days)


def aged(days: float) -> dict:
    """The fields of a job as if it had last been due and changed `days` ago."""
    back = timedelta(days=days)
    return {"next_attempt_at": F("next_attempt_at") - back, "updated_at": F("updated_at") - back}


@pytest.fixture
def confirmed(partner, catalog):
    """A voucher the partner (automatic confirmation) confirmed, its PDF job still pending."""
    voucher = reserve(partner)
    assert voucher.state == State.CONFIRMED
    return voucher


def test_a_done_job_goes_30_days_after_it_finished(confirmed):
    assert process_due_jobs() == 1
    (job,) = DeliveryJob.objects.filter(voucher=confirmed)
    assert job.status == JobStatus.DONE

    assert retention.prune_jobs(days_on(29)) == 0
    assert retention.prune_jobs(days_on(31)) == 1
    assert not DeliveryJob.objects.exists()
    assert Voucher.objects.get(pk=confirmed.pk).state == State.READY  # the voucher stays


def test_a_failed_job_goes_too_but_a_pending_one_never(confirmed, partner, catalog):
    waiting = reserve(partner, userId="user-43")
    DeliveryJob.objects.filter(voucher=confirmed).update(status=JobStatus.FAILED, **aged(31))
    DeliveryJob.objects.filter(voucher=waiting).update(**aged(400))

    assert retention.prune_jobs(timezone.now()) == 1
    (left,) = DeliveryJob.objects.all()
    assert (left.voucher_id, left.status) == (waiting.pk, JobStatus.PENDING)


def test_a_session_goes_30_days_after_it_expired_and_its_voucher_forgets_it(confirmed):
    session_id = confirmed.session_id
    assert session_id is not None
    ledger_rows = (Transaction.objects.count(), Entry.objects.count())
    journal = VoucherEvent.objects.filter(voucher=confirmed).count()

    assert retention.prune_sessions(days_on(29)) == 0
    assert retention.prune_sessions(days_on(31)) == 1

    assert not Session.objects.filter(pk=session_id).exists()
    voucher = Voucher.objects.get(pk=confirmed.pk)
    assert voucher.session_id is None and voucher.state == State.CONFIRMED
    assert VoucherEvent.objects.filter(voucher=confirmed).count() == journal
    assert (Transaction.objects.count(), Entry.objects.count()) == ledger_rows


def test_a_session_still_usable_is_kept(partner):
    opened = sessions.exchange(partner_token(partner.issued.apiSignature), client_id=partner.pk)

    assert retention.prune_sessions(timezone.now()) == 0
    assert Session.objects.get(pk=opened.session.pk).is_live()


def test_the_session_of_a_voucher_still_reserved_is_kept(make_partner, catalog):
    manual = make_partner(
        "acme", confirmation_mode="notification", notification_url="https://acme.example/hooks"
    )
    voucher = reserve(manual, forceManualConfirm=True)
    assert voucher.state == State.RESERVED

    assert retention.prune_sessions(days_on(400)) == 0
    assert Voucher.objects.get(pk=voucher.pk).session.force_manual_confirm


def test_finished_jobs_cannot_be_mistaken_for_pending_ones():
    with pytest.raises(ValueError, match="never pruned"):
        retention.prunable_jobs(JobStatus.PENDING, timezone.now())


@pytest.mark.postgres
@pytest.mark.parametrize("status", FINISHED_JOBS)
def test_each_batch_of_jobs_is_read_through_the_claims_index(status):
    assert_uses_index(
        batch(retention.prunable_jobs(status, timezone.now()), 1000), "delivery_job_due"
    )


@pytest.mark.postgres
def test_each_batch_of_sessions_is_read_through_their_expiry_index():
    assert_uses_index(
        batch(retention.prunable_sessions(timezone.now()), 1000),
        index_on(Session, "expires_at"),
    )
    # Their vouchers forget them through the unique index of the one-to-one link.
    assert_uses_index(
        Voucher.objects.filter(session_id__in=[uuid.uuid4()]), index_on(Voucher, "session_id")
    )
