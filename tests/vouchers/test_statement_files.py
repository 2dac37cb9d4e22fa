"""A statement's CSV is streamed (vouchers/payments.py): the same file as ever, made a chunk of
vouchers at a time through the index `voucher_statement_lines`, whatever the statement's size."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jackpot.core.formats import iso
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import Statement, Voucher
from support.payments import EVER, forever
from support.reservations import reserve

pytestmark = pytest.mark.django_db

SAME_MOMENT = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def statement(manual):
    """A statement of five DUE vouchers, three of them confirmed at the same instant."""
    for n in range(5):
        voucher = reserve(manual, value=20 + n, userId=f"user-{n}")
        lifecycle.transition(voucher.pk, "confirm", "test")  # no wallet: DUE
    tied = Voucher.objects.order_by("pk").values_list("pk", flat=True)[:3]
    Voucher.objects.filter(pk__in=list(tied)).update(confirm_date=SAME_MOMENT)
    issued = payments.issue_statement(manual, EVER, forever(), "operator")
    return Statement.objects.get(pk=issued.pk)


def expected_csv(statement) -> str:
    """The file as it was made before streaming: every voucher at once, then the total."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(payments.STATEMENT_COLUMNS)
    for v in statement.vouchers.order_by("confirm_date", "pk"):
        writer.writerow(
            [v.coupon_id, str(v.pk), v.store_id, iso(v.confirm_date), v.price, v.value, v.currency]
        )
    writer.writerow(["TOTAL", "", "", "", str(statement.total), "", statement.currency])
    return out.getvalue()


def test_the_csv_is_the_same_file_as_before(statement):
    assert "".join(payments.statement_lines(statement)) == expected_csv(statement)


def test_the_csv_reads_its_vouchers_a_chunk_at_a_time(statement, monkeypatch):
    monkeypatch.setattr(payments, "CHUNK", 2)

    with CaptureQueriesContext(connection) as queries:
        text = "".join(payments.statement_lines(statement))

    assert text == expected_csv(statement)
    reads = [q["sql"] for q in queries.captured_queries if '"vouchers_voucher"' in q["sql"]]
    assert len(reads) == 3  # 2 + 2 + 1 of 5 vouchers, each chunk its own bounded query
    assert all("LIMIT 2" in sql for sql in reads)


def test_every_download_of_the_csv_is_streamed(statement, manual, api_client, admin_client):
    urls = [
        (
            api_client.raw,
            f"/v2/statements/{statement.pk}/csv",
            {"HTTP_APIKEY": manual.issued.apiKey},
        ),
        (admin_client, reverse("admin:vouchers_statement_csv", args=[statement.pk]), {}),
    ]
    for client, url, headers in urls:
        response = client.get(url, **headers)
        assert response.status_code == 200 and response.streaming
        assert b"".join(response.streaming_content).decode() == expected_csv(statement)


@pytest.mark.postgres
def test_each_chunk_is_a_range_of_the_statement_walk_index(statement):
    from support.copies import voucher_copies
    from support.explain import assert_uses_index

    voucher_copies(statement.vouchers.first(), 3000, "confirm_date", SAME_MOMENT)
    last = statement.vouchers.order_by("confirm_date", "pk")[1000]
    chunk = statement.vouchers.order_by("confirm_date", "pk").filter(
        payments.keyset.after("confirm_date", last.confirm_date, last.pk, descending=False)
    )[: payments.CHUNK]
    plan = assert_uses_index(chunk, "voucher_statement_lines")
    assert not re.search(r"(^|->  )Sort ", plan, re.M), plan  # read in the index's order
    # Statements' own queries on the link (PROTECT on delete, "any voucher left?") use it too.
    assert_uses_index(
        Voucher.objects.filter(statement_id__in=[statement.pk]), "voucher_statement_lines"
    )
