"""`jackpot statement issue --from D --to D`: both days included, as `--help` and the README say;
the portal and the statement PDF then write the very same first and last day."""

import json
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from jackpot.cli import main
from jackpot.partners.services import create_partner_user
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Statement, Voucher
from support.cli import run_main
from support.documents import pdf_text

pytestmark = pytest.mark.django_db


def confirmed_at(acme, make_voucher, moment):
    voucher = make_voucher(acme)
    lifecycle.transition(voucher.pk, "confirm", "test")
    Voucher.objects.filter(pk=voucher.pk).update(confirm_date=moment)
    return voucher.pk


def test_help_says_the_last_day_is_included(capsys):
    with pytest.raises(SystemExit):
        main(["statement", "issue", "--help"])

    shown = " ".join(capsys.readouterr().out.split())
    assert "--to DAY last day, YYYY-MM-DD, included" in shown
    assert "from the first day to the last day, both included" in shown


def test_the_cli_the_pdf_and_the_portal_write_the_same_period(capsys, tmp_path, acme, make_voucher):
    inside = confirmed_at(acme, make_voucher, datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    confirmed_at(acme, make_voucher, datetime(2026, 4, 1, tzinfo=UTC))  # the next period's
    pdf = tmp_path / "march.pdf"

    code, _, err = run_main(
        capsys,
        *("statement", "issue", "acme", "--from", "2026-03-01", "--to", "2026-03-31"),
        *("--pdf", str(pdf)),
    )

    assert code == 0, err
    statement = Statement.objects.get()
    assert [v.pk for v in statement.vouchers.all()] == [inside]
    assert (statement.first_day, statement.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert "01/03/2026 - 31/03/2026 (inclus / included)" in pdf_text(pdf.read_bytes())
    profile, _ = create_partner_user(acme, "alice", password="pw-" + "x" * 20)
    portal = Client()
    portal.force_login(profile.user)
    english = portal.get(reverse("portal:wallet"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = portal.get(reverse("portal:wallet"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 Mar 2026 – 31 Mar 2026" in english
    assert "01/03/2026 – 31/03/2026" in french


def test_report_stores_takes_the_same_period(capsys, acme, make_voucher):
    confirmed_at(acme, make_voucher, datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    confirmed_at(acme, make_voucher, datetime(2026, 4, 1, tzinfo=UTC))

    code, out, _ = run_main(
        capsys, "report", "stores", "--from", "2026-03-31", "--to", "2026-03-31"
    )

    assert code == 0 and [r["vouchers"] for r in json.loads(out)] == [1]
