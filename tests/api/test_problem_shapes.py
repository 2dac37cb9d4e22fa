"""Problems built in one place answer the same wherever they are raised."""

import json
import uuid

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from jackpot.api.edge import ApiEdgeMiddleware

pytestmark = pytest.mark.django_db


def test_an_unknown_voucher_reads_and_confirms_as_the_same_404(client, partner):
    missing = uuid.uuid4()
    headers = {"HTTP_APIKEY": partner.issued.apiKey}
    read = client.get(f"/v2/voucher/{missing}", **headers).json()
    confirm = client.put(f"/v2/voucher/{missing}/confirm", **headers).json()
    for problem in (read, confirm):
        assert problem["code"] == "voucher-not-found"
        assert problem["status"] == 404
        assert problem["detail"] == "No such voucher for this partner."
    assert {k: v for k, v in read.items() if k != "instance"} == {
        k: v for k, v in confirm.items() if k != "instance"
    }


def test_a_declared_and_an_undeclared_oversized_body_answer_the_same_413(settings):
    """One refused on its Content-Length, the other when its body is read: the same problem."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    factory, edge = RequestFactory(), ApiEdgeMiddleware(lambda request: HttpResponse())
    body = b'{"x": "' + b"a" * 200 + b'"}'
    declared = factory.post("/v2/token", body, content_type="application/json")
    unparsed = factory.post("/v2/token", body, content_type="application/json")
    unparsed.META["CONTENT_LENGTH"] = f" {len(body)}"  # not digits: read, and refused, later
    answers = [json.loads(edge(request).content) for request in (declared, unparsed)]
    assert answers[0] == answers[1]
    assert answers[0]["code"] == "payload-too-large" and answers[0]["status"] == 413
    assert answers[0]["detail"] == "Bodies are limited to 100 bytes."
