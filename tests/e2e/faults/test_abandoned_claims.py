"""Idempotency-Key claims a failure left behind: taken over after a minute, left for later while
the database is away, waited for while their request still runs; the first request still
answers after a takeover.
"""

import hashlib
import logging
from datetime import timedelta

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from jackpot.api import idempotency
from jackpot.api.models import IdempotencyRecord
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher
from support.outages import RESERVE, assert_unavailable, raising, reserve


def claim(bearer: str, key: str, age: timedelta) -> IdempotencyRecord:
    """An unfinished claim of the reservation `reserve` sends, as a request left it."""
    scope = hashlib.sha256(f"Bearer {bearer}".encode()).hexdigest()
    same_request = RequestFactory().post(RESERVE, data='{"value": 30}', content_type="text/json")
    return IdempotencyRecord.objects.create(
        scope=scope,
        key=key,
        fingerprint=idempotency._fingerprint(same_request),
        created_at=timezone.now() - age,
    )


def test_a_claim_left_unfinished_is_taken_over_after_a_minute(bearer, client):
    # Its server was killed, or the database went away before the claim could be released.
    claim(bearer, "left-behind", timedelta(minutes=2))
    response = reserve(client, bearer, **{"Idempotency-Key": "left-behind"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    record = IdempotencyRecord.objects.get(key="left-behind")
    assert record.status_code == 201 and bytes(record.body) == response.content


def test_a_claim_that_cannot_be_released_while_the_database_is_away_is_left_for_later(
    bearer, client, monkeypatch, caplog, outage
):
    monkeypatch.setattr(lifecycle, "record", raising(outage))
    monkeypatch.setattr(IdempotencyRecord, "delete", raising(outage))
    caplog.set_level(logging.INFO)

    response = reserve(client, bearer, **{"Idempotency-Key": "unreleased"})

    assert_unavailable(response)  # the route's own answer, logged once
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert IdempotencyRecord.objects.get(key="unreleased").status_code is None  # taken over later


def test_a_claim_of_a_request_still_running_is_waited_for(bearer, client, settings):
    settings.JACKPOT_IDEMPOTENCY_WAIT = 0.2
    claim(bearer, "running", timedelta(seconds=5))
    response = reserve(client, bearer, **{"Idempotency-Key": "running"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency-request-in-flight"
    assert not Voucher.objects.exists()


def test_a_request_whose_claim_was_taken_over_still_answers(bearer, db):
    """The first request finishing after a takeover leaves the new claim alone."""
    taken_over = []

    def slow_route(request):
        record = IdempotencyRecord.objects.get(key="slow")
        record.delete()
        taken_over.append(IdempotencyRecord.objects.create(scope=record.scope, key="slow"))
        return HttpResponse(b"{}", status=201, content_type="application/json")

    request = RequestFactory().post(
        RESERVE,
        data=b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bearer}",
        HTTP_IDEMPOTENCY_KEY="slow",
    )
    response = idempotency.IdempotencyMiddleware(slow_route)(request)

    assert response.status_code == 201
    newer = IdempotencyRecord.objects.get(key="slow")
    assert newer.pk == taken_over[0].pk and newer.status_code is None
