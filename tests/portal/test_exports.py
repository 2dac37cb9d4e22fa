"""The coupon CSV export (portal/exports.py): the same file as ever, streamed a chunk of rows at
a time, and refused with a message when it would hold more than JACKPOT_EXPORT_MAX_ROWS rows."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jackpot.core.formats import iso
from jackpot.portal import exports
from jackpot.vouchers.models import Voucher
from support.portal import screenshot

pytestmark = pytest.mark.django_db

SAME_MOMENT = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def five(acme, make_voucher):
    """Five vouchers of acme, three reserved at the same instant (the order falls back on id)."""
    vouchers = [make_voucher(acme, 20 + n, userId=f"user-{n}") for n in range(5)]
    Voucher.objects.filter(pk__in=[v.pk for v in vouchers[1:4]]).update(
        reservation_date=SAME_MOMENT
    )
    return vouchers


def download(client, **filters) -> str:
    response = client.get(reverse("portal:coupons-csv"), filters)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def expected_csv(partner) -> str:
    """The file as it was made before: every voucher at once, newest first, ties by id."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(exports.COLUMNS)
    for v in Voucher.objects.filter(partner=partner).order_by("-reservation_date", "-id"):
        writer.writerow(
            exports.cell(x)
            for x in (
                v.coupon_id,
                v.pk,
                v.state,
                v.store_id,
                v.store.name,
                v.value,
                v.price,
                v.bonus,
                v.currency,
                iso(v.reservation_date),
                iso(v.confirm_date),
                iso(v.canceled_date),
                iso(v.resa_expire_date),
                iso(v.validity_date),
                v.payment_state,
                v.notification_key,
                v.user_id,
                v.custom_transaction_id,
            )
        )
    return "\ufeff" + out.getvalue()


def test_the_export_is_the_same_file_as_before(alice_client, acme, five):
    assert download(alice_client) == expected_csv(acme)


def test_the_export_reads_its_vouchers_a_chunk_at_a_time(alice_client, acme, five, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)

    with CaptureQueriesContext(connection) as queries:
        text = download(alice_client)

    assert text == expected_csv(acme)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "vouchers_voucher"' in q["sql"] and '"catalog_store"."name"' in q["sql"]
    ]
    assert len(reads) == 3  # 2 + 2 + 1 of 5 vouchers, each chunk its own bounded query
    assert all("LIMIT 2" in sql for sql in reads)


def test_an_export_above_the_bound_is_refused_with_a_message(alice_client, five, settings):
    settings.JACKPOT_EXPORT_MAX_ROWS = 4

    response = alice_client.get(reverse("portal:coupons-csv"), {"state": "RESERVED"})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:coupons") + "?state=RESERVED"
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "more than 4 coupons" in message and "shorter period" in message
    page = alice_client.get(response["Location"])
    assert "more than 4 coupons" in page.content.decode()


def test_an_export_at_the_bound_or_narrowed_to_it_is_sent(alice_client, acme, five, settings):
    settings.JACKPOT_EXPORT_MAX_ROWS = 5
    assert len(download(alice_client).splitlines()) == 1 + 5

    settings.JACKPOT_EXPORT_MAX_ROWS = 3
    rows = list(csv.reader(io.StringIO(download(alice_client, date_to="2026-03-01"))))
    assert len(rows) == 1 + 3  # the three reserved on March 1st


def test_the_bound_is_checked_without_counting_every_row(alice_client, five, settings):
    settings.JACKPOT_EXPORT_MAX_ROWS = 4
    with CaptureQueriesContext(connection) as queries:
        alice_client.get(reverse("portal:coupons-csv"))
    (probe,) = [q["sql"] for q in queries.captured_queries if "OFFSET 4" in q["sql"]]
    assert "LIMIT 1" in probe and "COUNT(" not in probe.upper()


def test_the_refusal_is_in_french_too(alice_client, five, settings):
    settings.JACKPOT_EXPORT_MAX_ROWS = 1
    response = alice_client.get(
        reverse("portal:coupons-csv"), follow=True, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "plus de 1 coupons" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_refused_export_shows_why_on_the_list(
    alice_client, five, settings, live_server, new_page
):
    """The export link downloads the file when it is sent, and leaves the partner on the list
    with the message when it is refused (a `download` link would save the message as a file)."""
    page = new_page()
    session = alice_client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{reverse('portal:coupons')}?state=RESERVED")
    with page.expect_download() as sent:
        page.click("a:has-text('Export CSV')")
    assert sent.value.suggested_filename.startswith("coupons-acme-")

    settings.JACKPOT_EXPORT_MAX_ROWS = 4
    page.click("a:has-text('Export CSV')")
    page.wait_for_selector(".flash-error")
    assert "more than 4 coupons" in page.locator(".flash-error").inner_text()
    assert page.url.endswith("/portal/coupons/?state=RESERVED")
    screenshot(page, "coupons-export-refused")


@pytest.mark.postgres
def test_each_chunk_and_the_bound_read_only_the_partners_rows_through_an_index(
    acme, five, beta, make_voucher
):
    """With a few thousand rows, most of them another partner's, and fresh statistics. Which
    of the partner's indexes serves best (and whether one gives the order with `id` too) is
    the voucher indexes' business; the export's part is a chunk query that is an index range:
    the partner, and the redundant bound `reservation_date <= last` beside the keyset."""
    from jackpot.core import keyset
    from support.copies import voucher_copies
    from support.explain import plan

    voucher_copies(five[0], 1500, "reservation_date", SAME_MOMENT, tag="A")
    voucher_copies(make_voucher(beta, 30), 6000, "reservation_date", SAME_MOMENT, tag="B")
    vouchers = Voucher.objects.filter(partner=acme).order_by("-reservation_date", "-pk")
    last = vouchers[1000]
    chunk = vouchers.filter(
        keyset.after("reservation_date", last.reservation_date, last.pk, descending=True)
    )[: exports.CHUNK]
    assert '"reservation_date" <=' in str(chunk.query)
    probe = vouchers.values_list("pk", flat=True)[4:5]
    for query in (chunk, probe):
        text = plan(query)
        (condition,) = [line for line in text.splitlines() if "Index Cond:" in line]
        assert "partner_id" in condition, text
        assert "Seq Scan" not in text, text
