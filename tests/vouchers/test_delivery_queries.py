"""What one delivery job and one PDF download cost in SQL statements, so a regression shows.

The worker has to keep up with the server's confirmations (bench/README, "Soak"): each job's
statements are its cost. Counted with Django's CaptureQueriesContext, savepoints left out (the
test's own transaction turns the job's transactions into savepoints).

Before the PDF was drawn on request, the job that made a voucher READY ran 13 statements (claim
2, the job 1, voucher lock 1, codes 1, stored PDF deleted and written 2, voucher 1, event 1,
notification 1, mail job looked up and written 2, outcome 1) and rendered a PDF; the mail job
ran 11, the stored PDF read back among them.
"""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jackpot.partners.models import Partner
from jackpot.vouchers import rendering
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Voucher
from support.reservations import reserve_via_api

# claim (on PostgreSQL enable_sort off then back, two a claim of up to 50 jobs: the queue
# read in index order, core.leases; SELECT … SKIP LOCKED, UPDATE), the job, the voucher locked,
# its codes, the voucher saved, its event, its notification, the mail job written, the outcome.
READY_JOB = 12
# claim (4), the job, the voucher, its codes (for the page and the mail), then SENT: the voucher
# locked and saved, its event, its notification, and the job's outcome.
MAIL_JOB = 12
# the voucher with its store, its codes.
DOWNLOAD = 2


def statements(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.fixture
def sending(partner):
    Partner.objects.filter(pk=partner.pk).update(sending_enabled=True)
    return partner


def test_the_ready_job_draws_no_pdf_and_the_mail_job_draws_one(
    sending, catalog, api_client, build_token, mailoutbox, monkeypatch
):
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    drawn = []
    real_render = rendering.pdf.render
    monkeypatch.setattr(
        rendering.pdf, "render", lambda sheet: drawn.append(sheet) or real_render(sheet)
    )

    with CaptureQueriesContext(connection) as ready:
        assert process_due_jobs() == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY" and drawn == []
    assert len(statements(ready)) <= READY_JOB, "\n".join(statements(ready))

    with CaptureQueriesContext(connection) as mailed:
        assert process_due_jobs() == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "SENT" and len(drawn) == 1
    assert len(statements(mailed)) <= MAIL_JOB, "\n".join(statements(mailed))
    assert len(mailoutbox) == 1


def test_a_download_reads_the_voucher_and_its_codes_only(
    partner, catalog, api_client, build_token, client
):
    voucher = reserve_via_api(api_client, build_token(), 110)
    process_due_jobs()
    status, body = api_client.get(f"/v2/voucher/{voucher['id']}", apikey=partner.issued.apiKey)
    parts = urlsplit(body["url"])
    with CaptureQueriesContext(connection) as download:
        response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert len(statements(download)) <= DOWNLOAD, "\n".join(statements(download))
