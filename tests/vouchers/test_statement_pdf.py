"""The statement PDF: bilingual like the voucher PDF, the partner's legal information (the
portal's "Legal information" page), its vouchers' store names, the period as its first and last
day, and where to pay while it is unpaid. Read back with pypdf."""

from datetime import UTC, date, datetime, timedelta

import pytest

from jackpot.core.periods import whole_days
from jackpot.partners.models import LegalInformation
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import Voucher
from support.documents import pdf_text

pytestmark = pytest.mark.django_db
MARCH = whole_days(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def march_statement(acme, make_voucher):
    """acme's statement of March 2026: two SportMax vouchers, the last confirmed at 23:59 on
    the 31st."""
    last_minute = MARCH[1] - timedelta(minutes=1)
    for value, confirmed in ((30, datetime(2026, 3, 2, 9, tzinfo=UTC)), (50, last_minute)):
        voucher = make_voucher(acme, value)
        lifecycle.transition(voucher.pk, "confirm", "test")
        Voucher.objects.filter(pk=voucher.pk).update(confirm_date=confirmed)
    return payments.issue_statement(acme, *MARCH, "operator")


def test_the_pdf_bills_the_partner_by_its_legal_information(acme, march_statement):
    LegalInformation.objects.create(
        partner=acme,
        company_name="Acme Cashback",
        legal_form="SAS",
        registration_number="123 456 789 00012",
        vat_number="FR12123456789",
        address="12 rue de la Paix\n75002 Paris",
        billing_email="billing@acme.example",
    )

    text = pdf_text(payments.statement_pdf(march_statement))

    assert "Facturé à / Billed to" in text
    for line in (
        "Acme Cashback SAS",
        "12 rue de la Paix",
        "75002 Paris",
        "SIREN/SIRET: 123 456 789 00012",
        "TVA / VAT: FR12123456789",
        "billing@acme.example",
        "Partenaire / Partner: Acme (acme)",
    ):
        assert line in text


def test_without_legal_information_the_pdf_names_the_partner(acme, march_statement):
    text = pdf_text(payments.statement_pdf(march_statement))

    assert "Facturé à / Billed to\nAcme (acme)\nPériode / Period" in text


def test_the_pdf_is_bilingual_and_names_stores_not_ids(march_statement):
    text = pdf_text(payments.statement_pdf(march_statement))

    for heading in ("Enseigne / Store", "Prix / Price", "Valeur / Value", "Confirmé / Date"):
        assert heading in text
    assert text.count("SportMax") == 2 and "sportmax" not in text
    assert "Total dû / Total due" in text


def test_the_period_is_its_first_and_last_day_both_included(march_statement):
    text = pdf_text(payments.statement_pdf(march_statement))

    assert (march_statement.first_day, march_statement.last_day) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert "Période / Period\n01/03/2026 - 31/03/2026 (inclus / included)" in text
    assert "31/03/2026" in text.split("Confirmé / Date")[1]  # the voucher of the 31st, 23:59
    assert "01/04/2026" not in text


def test_an_unpaid_statement_says_where_to_pay(settings, march_statement):
    settings.JACKPOT_TOPUP_IBAN = "FR76 3000 6000 0112 3456 7890 189"
    settings.JACKPOT_TOPUP_BIC = "AGRIFRPP"

    unpaid = pdf_text(payments.statement_pdf(march_statement))
    payments.record_statement_payment(march_statement, payment_reference="VIR-9", actor="op")
    march_statement.refresh_from_db()
    paid = pdf_text(payments.statement_pdf(march_statement))

    assert "Paiement par virement / Pay by bank transfer" in unpaid
    assert "IBAN FR76 3000 6000 0112 3456 7890 189 - BIC AGRIFRPP" in unpaid
    assert f"Référence / Reference: statement {march_statement.pk}" in unpaid
    assert "Paiement par virement" not in paid and "(ref. VIR-9)" in paid
