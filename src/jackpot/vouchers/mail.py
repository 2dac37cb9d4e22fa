"""The voucher mail: the PDF attached, a short bilingual note, through Django's mail settings.

The backend is whatever `EMAIL_BACKEND` says (SMTP on EMAIL_HOST:EMAIL_PORT in production, the
console in demo mode); a failure raises, and `vouchers.delivery` retries it with backoff.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from jackpot.core import formatting
from jackpot.vouchers import links, pdf
from jackpot.vouchers.models import Voucher

TEMPLATES = "vouchers/mail"


def filename(voucher: Voucher) -> str:
    return f"voucher-{voucher.coupon_id}.pdf"


def context(voucher: Voucher, sheet: pdf.VoucherSheet) -> dict:
    band = pdf.rgb(voucher.store.base_color)
    return {
        "store_name": voucher.store.name,
        # The mail is bilingual: each language writes the amount its own way.
        "value": formatting.money(voucher.value, voucher.currency, language="fr"),
        "value_en": formatting.money(voucher.value, voucher.currency, language="en"),
        "coupon_id": voucher.coupon_id,
        "valid_until": pdf.day(sheet.valid_until),
        "mentions": voucher.store.mentions,
        "url": links.pdf_url(voucher),
        "color": "#{:02x}{:02x}{:02x}".format(*band),
        "text_color": "#{:02x}{:02x}{:02x}".format(*pdf.readable_on(band)),
    }


def voucher_message(
    voucher: Voucher, content: bytes, connection=None, sheet: pdf.VoucherSheet | None = None
) -> EmailMultiAlternatives:
    """The mail of `content`, the voucher's PDF; `sheet` is what it shows, when at hand."""
    ctx = context(voucher, sheet or pdf.sheet_for(voucher))
    # One line; the amounts' no-break spaces stay (str.split would take them for spaces).
    subject = re.sub(r"[ \t\r\n]+", " ", render_to_string(f"{TEMPLATES}/subject.txt", ctx)).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{TEMPLATES}/body.txt", ctx),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[voucher.email],
        headers={"X-Jackpot-Coupon": voucher.coupon_id},
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{TEMPLATES}/body.html", ctx), "text/html")
    message.attach(filename(voucher), content, "application/pdf")
    return message


def send_voucher(voucher: Voucher, content: bytes, sheet: pdf.VoucherSheet | None = None) -> None:
    """Mail the voucher's PDF to its `email`; raises when the mail server refuses or is down."""
    with get_connection(fail_silently=False) as connection:
        voucher_message(voucher, content, connection, sheet).send(fail_silently=False)
