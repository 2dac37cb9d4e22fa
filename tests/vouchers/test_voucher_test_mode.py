"""Test vouchers in the voucher flow: a fake code and no pool stock taken, a SPECIMEN PDF, no
money moved and no statement."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry, Transaction
from jackpot.partners import credentials
from jackpot.vouchers import catalogue_import, lifecycle, payments, pdf
from jackpot.vouchers.codes import generated, pool
from jackpot.vouchers.models import Code, Statement
from support.catalogue import pool_store
from support.reservations import reserve

POOL = pool_store(
    [{"code": f"H20-{i}", "pin": "1", "value": 20, "expiry": "2030-12-31"} for i in range(3)]
    + [{"code": f"H50-{i}", "pin": "2", "value": 50, "expiry": "2030-12-31"} for i in range(2)]
)


@pytest.fixture
def acme(make_partner, catalog):
    """acme, automatic confirmation: a reservation is confirmed and takes its codes at once."""
    partner = make_partner("acme")
    partner.twin = credentials.test_twin(partner)
    return partner


def text_of(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_a_test_voucher_gets_one_visibly_fake_code(acme):
    voucher = reserve(acme, acme.issued.test["apiSignature"])
    assert voucher.partner_id == acme.twin.pk and voucher.state == "CONFIRMED"
    [code] = voucher.codes.all()
    assert code.code.startswith(generated.SPECIMEN_PREFIX)
    assert generated.display(code.code).startswith("TEST-")
    assert generated.checksum_ok(code.code)


def test_real_generated_codes_never_look_like_test_ones():
    assert not any(generated.new_generated_code().startswith("TEST") for _ in range(3000))


def test_a_test_voucher_takes_nothing_from_a_code_pool(acme):
    catalogue_import.import_catalog({"stores": [POOL]})
    before = pool.stock("halles")
    voucher = reserve(
        acme, acme.issued.test["apiSignature"], value=70, store="halles", offer="halles-saison"
    )
    assert voucher.state == "CONFIRMED"
    assert pool.stock("halles") == before
    [code] = voucher.codes.all()
    assert code.code.startswith("TEST") and code.source == "generated"
    live = reserve(acme, acme.issued.apiSignature, value=70, store="halles", offer="halles-saison")
    assert sorted(c.code[:3] for c in live.codes.all()) == ["H20", "H50"]


def test_the_pdf_of_a_test_voucher_is_marked_specimen(acme):
    test = reserve(acme, acme.issued.test["apiSignature"])
    live = reserve(acme, acme.issued.apiSignature)
    test_text = text_of(pdf.render(pdf.sheet_for(test)))
    live_text = text_of(pdf.render(pdf.sheet_for(live)))
    assert "SPECIMEN / TEST" in test_text and "TEST-" in test_text
    assert "SPECIMEN" not in live_text


def test_a_long_specimen_pdf_is_marked_on_every_page(acme):
    test = reserve(acme, acme.issued.test["apiSignature"])
    sheet = pdf.sheet_for(test)
    many = pdf.VoucherSheet(**{**sheet.__dict__, "codes": sheet.codes * 6})
    pages = PdfReader(io.BytesIO(pdf.render(many))).pages
    assert len(pages) > 1
    assert all("SPECIMEN / TEST" in page.extract_text() for page in pages)


def test_no_money_moves_for_test_vouchers_from_confirmation_to_refund(acme):
    ledger.credit_wallet(acme, "500.00", reference="top-up-1", created_by="test")
    counts = (Transaction.objects.count(), Entry.objects.count())
    voucher = reserve(acme, acme.issued.test["apiSignature"])
    assert voucher.payment_state == "DUE" and not voucher.wallet_operation_id
    Code.objects.filter(voucher=voucher).update(state="issued")
    lifecycle.transition(voucher.pk, "deliver", "test")
    lifecycle.transition(voucher.pk, "refund", "test")
    lifecycle.transition(voucher.pk, "accept_refund", "test")
    assert (Transaction.objects.count(), Entry.objects.count()) == counts
    assert ledger.wallet_balance(acme) == 500


def test_test_mode_is_never_billed_nor_credited(acme):
    reserve(acme, acme.issued.test["apiSignature"])
    now = timezone.now()
    with pytest.raises(Problem) as refused:
        payments.issue_statement(acme.twin, now - timedelta(days=1), now + timedelta(days=1), "op")
    assert refused.value.code == "test-mode-partner"
    with pytest.raises(Problem) as refused:
        ledger.credit_wallet(acme.twin, "10.00", reference="x", created_by="op")
    assert refused.value.code == "test-mode-partner"
    assert not Statement.objects.exists() and not Transaction.objects.exists()


def test_a_live_statement_lists_no_test_voucher(acme):
    live = reserve(acme, acme.issued.apiSignature)
    reserve(acme, acme.issued.test["apiSignature"])
    now = timezone.now()
    statement = payments.issue_statement(
        acme, now - timedelta(days=1), now + timedelta(days=1), "op"
    )
    assert [v.pk for v in payments.listed_vouchers(statement)] == [live.pk]


def test_the_store_report_leaves_test_vouchers_out(acme):
    live = reserve(acme, acme.issued.apiSignature)
    reserve(acme, acme.issued.test["apiSignature"], value=50)
    now = timezone.now()
    [row] = payments.store_report(now - timedelta(days=1), now + timedelta(days=1))
    assert row["vouchers"] == 1 and row["valueIssued"] == live.value
