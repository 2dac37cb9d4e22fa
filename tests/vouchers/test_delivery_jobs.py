"""Delivery (SPEC §6.4): CONFIRMED → codes → READY → mail → SENT, through the job outbox.

The PDF is drawn on request (`vouchers.rendering`): the READY job draws none, the mail job draws
the one it attaches."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from jackpot.partners.models import Partner
from jackpot.vouchers import delivery, rendering
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import DeliveryJob, JobStatus, Voucher
from jackpot.webhooks.models import OutboxEvent
from support.reservations import reserve_via_api


@pytest.fixture
def sending(partner):
    Partner.objects.filter(pk=partner.pk).update(sending_enabled=True)
    return partner


def events(voucher_id) -> list[tuple[str, str, str]]:
    return list(
        Voucher.objects.get(pk=voucher_id).events.values_list("from_state", "to_state", "actor")
    )


def test_confirmation_writes_a_pdf_job_that_makes_the_voucher_ready(
    partner, catalog, api_client, build_token, mailoutbox
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    (job,) = DeliveryJob.objects.filter(voucher_id=voucher["id"])
    assert (job.kind, job.status) == ("pdf", JobStatus.PENDING)

    assert process_due_jobs() == 1
    ready = Voucher.objects.get(pk=voucher["id"])
    assert ready.state == "READY" and ready.ready_date is not None
    assert rendering.render(ready).startswith(b"%PDF-")  # drawn from the voucher when asked
    assert DeliveryJob.objects.get(pk=job.pk).status == JobStatus.DONE
    assert events(voucher["id"])[-1] == ("CONFIRMED", "READY", "worker")
    ready_event = OutboxEvent.objects.get(event="coupon/ready")
    assert ready_event.payload["message"]["data"]["url"].startswith("http://127.0.0.1:8000/v2/")
    assert mailoutbox == []  # the partner did not enable sending
    assert process_due_jobs() == 0


def test_a_rolled_back_confirmation_leaves_no_job_and_no_code(
    make_partner, catalog, api_client, build_token
):
    from jackpot.vouchers import lifecycle
    from jackpot.vouchers.models import Code

    manual = make_partner("acme", confirmation_mode="manual")
    voucher = reserve_via_api(api_client, build_token(), 110)
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.transition(voucher["id"], "confirm", "test", partner_id=manual.pk)
        assert DeliveryJob.objects.filter(voucher_id=voucher["id"]).exists()
        raise RuntimeError("the confirmation fails after taking the codes")
    assert not DeliveryJob.objects.filter(voucher_id=voucher["id"]).exists()
    assert not Code.objects.filter(voucher_id=voucher["id"]).exists()


def test_with_sending_enabled_the_pdf_is_mailed_and_the_voucher_is_sent(
    sending, catalog, api_client, build_token, mailoutbox
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    assert process_due_jobs() == 1  # the PDF; the mail job is due from now on
    assert process_due_jobs() == 1  # the mail

    (message,) = mailoutbox
    assert message.to == ["user@example.org"]
    assert "SportMax" in message.subject
    assert "110,00\u00a0€" in message.subject and "€110.00" in message.subject  # fr / en
    assert voucher["couponId"] in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == f"voucher-{voucher['couponId']}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert message.alternatives[0][1] == "text/html"

    sent = Voucher.objects.get(pk=voucher["id"])
    assert sent.state == "SENT" and sent.send_date is not None
    assert events(voucher["id"])[-1] == ("READY", "SENT", "worker")
    assert OutboxEvent.objects.filter(event="coupon/sent").count() == 1


def test_without_an_email_claim_nothing_is_mailed(
    sending, catalog, api_client, build_token, mailoutbox
):
    voucher = reserve_via_api(api_client, build_token(), 110)
    process_due_jobs()
    process_due_jobs()
    assert mailoutbox == []
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY"
    assert not DeliveryJob.objects.filter(kind="mail").exists()


def test_a_failed_mail_is_retried_with_backoff_then_sent(
    sending, catalog, api_client, build_token, settings, mailoutbox
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    process_due_jobs()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    assert process_due_jobs() == 0
    job = DeliveryJob.objects.get(kind="mail")
    assert job.attempts == 1 and job.status == JobStatus.PENDING
    assert "Error" in job.last_error or "refused" in job.last_error.lower()
    wait = job.next_attempt_at - timezone.now()
    assert timedelta(seconds=40) < wait < timedelta(seconds=80)  # 1 min ± 20 %
    assert process_due_jobs() == 0  # not due yet

    later = timezone.now() + timedelta(minutes=2)
    assert process_due_jobs(now=later) == 0
    job.refresh_from_db()
    assert job.attempts == 2
    assert timedelta(seconds=90) < job.next_attempt_at - later < timedelta(seconds=150)
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert process_due_jobs(now=later + timedelta(minutes=5)) == 1
    assert len(django_mail.outbox) == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "SENT"


def test_a_mail_that_keeps_failing_gives_up_and_the_voucher_stays_ready(
    sending, catalog, api_client, build_token, settings
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    process_due_jobs()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    moment = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS):
        process_due_jobs(now=moment)
        moment += timedelta(days=1)
    job = DeliveryJob.objects.get(kind="mail")
    assert job.status == JobStatus.FAILED and job.attempts == delivery.MAX_ATTEMPTS
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY"
    assert process_due_jobs(now=moment) == 0


def test_the_backoff_doubles_from_a_minute_up_to_six_hours():
    assert timedelta(seconds=48) <= delivery.backoff(1) <= timedelta(seconds=72)
    assert timedelta(seconds=96) <= delivery.backoff(2) <= timedelta(seconds=144)
    assert delivery.backoff(30) <= timedelta(hours=6) * 1.2
    total = sum((delivery.BACKOFF_BASE * 2 ** (n - 1) for n in range(1, 12)), 0.0)
    assert total > 12 * 3600  # about a day of tries before giving up


def test_a_job_leased_by_another_worker_is_left_alone(partner, catalog, api_client, build_token):
    voucher = reserve_via_api(api_client, build_token(), 110)
    claimed = delivery._claim(timezone.now(), 10)  # another worker holds it
    assert [job_id for job_id, _ in claimed] == list(
        DeliveryJob.objects.filter(voucher_id=voucher["id"]).values_list("pk", flat=True)
    )
    assert process_due_jobs() == 0
    # the other worker died: its lease runs out and the job is claimed again
    assert process_due_jobs(now=timezone.now() + delivery.LEASE + timedelta(seconds=1)) == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY"


def test_a_refund_asked_before_the_mail_stops_it(
    sending, catalog, api_client, build_token, mailoutbox
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    process_due_jobs()
    status, _ = api_client.post(f"/v2/voucher/{voucher['id']}/refund", apikey=sending.issued.apiKey)
    assert status == 200
    assert process_due_jobs() == 0
    assert mailoutbox == []
    job = DeliveryJob.objects.get(kind="mail")
    assert job.status == JobStatus.DONE and "REFUNDING" in job.last_error


def test_a_job_that_crashes_is_retried_and_others_still_run(
    partner, catalog, api_client, build_token, monkeypatch
):
    first = reserve_via_api(api_client, build_token(), 110)
    second = reserve_via_api(api_client, build_token(), 110)
    real_take = delivery.pool.take_for

    def flaky(voucher, *args, **kwargs):
        if voucher.coupon_id == first["couponId"]:
            raise ValueError("a bug in the codes")
        return real_take(voucher, *args, **kwargs)

    monkeypatch.setattr(delivery.pool, "take_for", flaky)
    assert process_due_jobs() == 1
    assert Voucher.objects.get(pk=first["id"]).state == "CONFIRMED"
    assert Voucher.objects.get(pk=second["id"]).state == "READY"
    job = DeliveryJob.objects.get(voucher_id=first["id"])
    assert job.attempts == 1 and "a bug in the codes" in job.last_error

    monkeypatch.setattr(delivery.pool, "take_for", real_take)
    assert process_due_jobs(now=timezone.now() + timedelta(minutes=2)) == 1
    assert Voucher.objects.get(pk=first["id"]).state == "READY"


def test_a_mail_whose_pdf_cannot_be_drawn_is_retried_and_the_voucher_stays_ready(
    sending, catalog, api_client, build_token, mailoutbox, monkeypatch
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    assert process_due_jobs() == 1  # READY: no PDF drawn yet
    real_render = rendering.pdf.render

    def broken(sheet):
        raise ValueError("a bug in the PDF")

    monkeypatch.setattr(rendering.pdf, "render", broken)
    assert process_due_jobs() == 0
    job = DeliveryJob.objects.get(kind="mail")
    assert job.attempts == 1 and "a bug in the PDF" in job.last_error
    assert mailoutbox == [] and Voucher.objects.get(pk=voucher["id"]).state == "READY"

    monkeypatch.setattr(rendering.pdf, "render", real_render)
    assert process_due_jobs(now=timezone.now() + timedelta(minutes=2)) == 1
    assert len(mailoutbox) == 1 and Voucher.objects.get(pk=voucher["id"]).state == "SENT"
