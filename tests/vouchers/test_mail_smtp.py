"""The voucher mail through a real SMTP server (aiosmtpd on 127.0.0.1, a free port)."""

import email
import email.policy
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from jackpot.partners.models import Partner
from jackpot.vouchers import rendering
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import DeliveryJob, Voucher
from support.reservations import reserve_via_api

CAMILLE = "Camille.Durand@example.org"


class Inbox:
    """An SMTP handler keeping what it receives; it can refuse the first messages (451)."""

    def __init__(self, refuse_first: int = 0):
        self.messages = []
        self.refuse = refuse_first

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            self.refuse -= 1
            return "451 Requested action aborted: try again later"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    def start(refuse_first: int = 0) -> Inbox:
        inbox = Inbox(refuse_first)
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        settings.DEFAULT_FROM_EMAIL = "Jackpot <vouchers@jackpot.test>"
        return inbox

    started = []
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def sending(partner):
    Partner.objects.filter(pk=partner.pk).update(sending_enabled=True)
    return partner


def test_the_smtp_server_receives_the_voucher_with_its_pdf_attached(
    sending, catalog, api_client, build_token, smtp
):
    inbox = smtp()
    voucher = reserve_via_api(api_client, build_token(email=CAMILLE), 110)
    assert process_due_jobs() == 1  # PDF, READY
    assert process_due_jobs() == 1  # mail, SENT

    (envelope,) = inbox.messages
    assert envelope.mail_from == "vouchers@jackpot.test"
    assert envelope.rcpt_tos == ["Camille.Durand@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == "Camille.Durand@example.org"
    assert message["X-Jackpot-Coupon"] == voucher["couponId"]
    assert "SportMax" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert voucher["couponId"] in body
    assert "valeur de 110,00\u00a0€" in body and "worth €110.00" in body  # each language its way
    assert message.get_body(preferencelist=("html",)) is not None
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"voucher-{voucher['couponId']}.pdf"
    content = attachment.get_content()
    # The very bytes the voucher's link serves: drawn again, the same page.
    assert content == rendering.render(Voucher.objects.get(pk=voucher["id"]))
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert voucher["couponId"] in text and "110,00 €" in text.replace("\u00a0", " ")

    sent = Voucher.objects.get(pk=voucher["id"])
    assert sent.state == "SENT" and sent.send_date is not None


def test_a_temporary_smtp_refusal_is_retried(sending, catalog, api_client, build_token, smtp):
    from datetime import timedelta

    from django.utils import timezone

    inbox = smtp(refuse_first=1)
    voucher = reserve_via_api(api_client, build_token(email=CAMILLE), 110)
    process_due_jobs()
    assert process_due_jobs() == 0
    job = DeliveryJob.objects.get(kind="mail")
    assert job.attempts == 1 and "451" in job.last_error
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY"

    assert process_due_jobs(now=timezone.now() + timedelta(minutes=2)) == 1
    assert len(inbox.messages) == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "SENT"
