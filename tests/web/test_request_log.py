"""One JSON line per request and per worker job, tied together by the request's id."""

import json
import logging

import pytest

from jackpot.core.logs import JsonFormatter
from jackpot.vouchers import delivery
from jackpot.vouchers.models import DeliveryJob
from jackpot.webhooks.models import Delivery, OutboxEvent
from support.reservations import RESERVE

REQUEST_ID = "lb-7f3a-0001"


def lines(caplog, logger):
    return [
        json.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == logger
    ]


@pytest.fixture
def json_logs(settings):
    settings.JACKPOT_LOG_FORMAT = "json"
    return settings


@pytest.fixture
def hooked_partner(make_partner):
    return make_partner(notification_url="https://acme.example/hooks")


def test_one_json_line_per_request(db, client, json_logs, caplog):
    caplog.set_level(logging.INFO, "jackpot.request")
    client.get(
        "/v2/stores/sportmax/proposed-vouchers",
        HTTP_X_REQUEST_ID=REQUEST_ID,
        REMOTE_ADDR="198.51.100.8",
    )
    (line,) = lines(caplog, "jackpot.request")
    assert line["method"] == "GET"
    assert line["route"] == "v2/stores/<store_id>/proposed-vouchers"
    assert line["status"] == 401
    assert line["request_id"] == REQUEST_ID
    assert line["client"] == "198.51.100.8"
    assert line["partner"] is None
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO" and line["logger"] == "jackpot.request"


def test_the_partner_is_named_once_known(
    client, api_client, hooked_partner, catalog, build_token, json_logs, caplog
):
    session = api_client.session(build_token(amount=100))
    caplog.set_level(logging.INFO, "jackpot.request")
    api_client.get("/v2/stores", bearer=session)
    assert lines(caplog, "jackpot.request")[-1]["partner"] == "acme"


def test_requests_are_not_logged_one_by_one_in_text_mode(db, client, caplog):
    caplog.set_level(logging.INFO, "jackpot.request")
    client.get("/healthz")
    assert lines(caplog, "jackpot.request") == []


def test_the_outbox_rows_a_request_writes_carry_its_id_and_the_worker_logs_it(
    client, api_client, hooked_partner, catalog, build_token, caplog
):
    session = api_client.session(build_token(amount=100))
    status, voucher = api_client.post(
        RESERVE, {"value": 30}, bearer=session, x_request_id=REQUEST_ID
    )
    assert status == 201
    events = OutboxEvent.objects.filter(payload__message__data__id=voucher["id"])
    assert events and {event.request_id for event in events} == {REQUEST_ID}
    deliveries = Delivery.objects.filter(event__in=events)
    assert deliveries and {d.request_id for d in deliveries} == {REQUEST_ID}
    (job,) = DeliveryJob.objects.filter(voucher_id=voucher["id"])
    assert job.request_id == REQUEST_ID

    caplog.set_level(logging.INFO, "jackpot.delivery")
    delivery.process_due_jobs()
    logged = [line for line in lines(caplog, "jackpot.delivery") if line.get("kind") == "pdf"]
    assert logged[0]["id"] == job.pk
    assert logged[0]["request_id"] == REQUEST_ID
    assert logged[0]["outcome"] in ("done", "deferred")
    assert logged[0]["duration_ms"] >= 0


def test_rows_written_outside_a_request_have_no_id(hooked_partner, catalog):
    from support.reservations import reserve

    voucher = reserve(hooked_partner)
    assert {e.request_id for e in OutboxEvent.objects.filter(partner=hooked_partner)} == {None}
    assert DeliveryJob.objects.filter(voucher=voucher).first().request_id is None
