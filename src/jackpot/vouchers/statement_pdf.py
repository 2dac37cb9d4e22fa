"""The statement PDF: what a partner owes for a period, bilingual (French / English) like the
voucher PDF, to file with its accounts.

It names the partner by its legal information (the company, its registration and VAT numbers,
its address: what the partner filled in the portal's "Legal information" page), the period by
its first and last day as the portal writes it (`Statement.first_day`, `last_day`: both
included), each voucher by its couponId and its store's name, and, while unpaid, the account to
pay into. Money and dates are written as on the voucher PDF (`vouchers.pdf`), in the core fonts
(Latin-1: French accents included).
"""

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from jackpot.partners.models import LegalInformation
from jackpot.vouchers.models import Statement
from jackpot.vouchers.pdf import ENCODING, day, money, winansi

# Coupon, store, confirmed, price, value: the table's columns (mm; the page holds 180).
WIDTHS = (30, 70, 26, 27, 27)
HEADINGS = ("Coupon", "Enseigne / Store", "Confirmé / Date", "Prix / Price", "Valeur / Value")
LINE = 6


def billed_to(statement: Statement) -> list[str]:
    """The partner as the statement bills it: its legal information, else its name."""
    partner = statement.partner
    legal = LegalInformation.objects.filter(partner=partner).first()
    if legal is None or not legal.company_name:
        return [f"{partner.name} ({partner.pk})"]
    company = " ".join(x for x in (legal.company_name, legal.legal_form) if x)
    lines = [company, *[line.strip() for line in legal.address.splitlines() if line.strip()]]
    if legal.registration_number:
        lines.append(f"SIREN/SIRET: {legal.registration_number}")
    if legal.vat_number:
        lines.append(f"TVA / VAT: {legal.vat_number}")
    if legal.billing_email:
        lines.append(legal.billing_email)
    lines.append(f"Partenaire / Partner: {partner.name} ({partner.pk})")
    return lines


def local_day(moment) -> str:
    """A moment's day in the platform's time zone, the one periods are cut in (core.periods)."""
    return day(timezone.localtime(moment, timezone.get_default_timezone()))


def status(statement: Statement) -> str:
    if statement.paid_at is None:
        return "En attente de paiement / Awaiting payment"
    paid = f"Payé le / Paid on {local_day(statement.paid_at)}"
    return f"{paid} (ref. {statement.payment_reference})" if statement.payment_reference else paid


def payee() -> list[str]:
    """Where to pay, when the platform's bank account is configured."""
    if not settings.JACKPOT_TOPUP_IBAN:
        return []
    lines = [f"{settings.JACKPOT_TOPUP_ACCOUNT_HOLDER} - IBAN {settings.JACKPOT_TOPUP_IBAN}"]
    if settings.JACKPOT_TOPUP_BIC:
        lines[0] += f" - BIC {settings.JACKPOT_TOPUP_BIC}"
    return lines


def render(statement: Statement) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.core_fonts_encoding = ENCODING  # as the voucher's: € and typographic marks
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(winansi(f"Statement {statement.pk} - {statement.partner.name}"))
    pdf.set_author("Jackpot")
    pdf.set_creation_date(statement.issued_at)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    title = winansi(f"Relevé / Statement n° {statement.pk}")
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    _block(pdf, "Facturé à / Billed to", billed_to(statement))
    period = f"{day(statement.first_day)} - {day(statement.last_day)} (inclus / included)"
    _block(pdf, "Période / Period", [period])
    _block(
        pdf,
        "",
        [
            f"Émis le / Issued on: {local_day(statement.issued_at)}",
            f"Émis par / Issued by: {settings.JACKPOT_TOPUP_ACCOUNT_HOLDER}",
            f"Statut / Status: {status(statement)}",
        ],
    )
    _table(pdf, statement)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(sum(WIDTHS[:3]), 8, "Total dû / Total due", border="T")
    total = winansi(money(statement.total, statement.currency))
    pdf.cell(WIDTHS[3], 8, total, border="T", align="R")
    pdf.cell(WIDTHS[4], 8, "", border="T")
    pdf.ln(10)
    if statement.paid_at is None and payee():
        reference = f"Référence / Reference: statement {statement.pk}"
        _block(pdf, "Paiement par virement / Pay by bank transfer", [*payee(), reference])
    return bytes(pdf.output())


def _block(pdf: FPDF, title: str, lines: list[str]) -> None:
    pdf.ln(2)
    if title:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, LINE, winansi(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in lines:
        pdf.cell(0, LINE - 1, winansi(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, statement: Statement) -> None:
    pdf.set_font("Helvetica", "B", 9)
    for i, (width, title) in enumerate(zip(WIDTHS, HEADINGS, strict=True)):
        pdf.cell(width, 7, winansi(title), border="B", align="R" if i >= 3 else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    vouchers = statement.vouchers.select_related("store").order_by("confirm_date", "pk")
    for v in vouchers:
        store = winansi(v.store.name)
        while store and pdf.get_string_width(store) > WIDTHS[1] - 2:
            store = store[:-1]
        cells = (v.coupon_id, store, local_day(v.confirm_date), money(v.price, v.currency))
        texts = (*cells, money(v.value, v.currency))
        for i, (width, text) in enumerate(zip(WIDTHS, texts, strict=True)):
            pdf.cell(width, LINE, winansi(text), align="R" if i >= 3 else "L")
        pdf.ln()
