"""The hot routes' writer: plain JSON documents only, the same document ninja would write."""

import json
from decimal import Decimal

import pytest

from jackpot.api.responses import json_answer


def test_a_document_is_written_as_the_json_it_is():
    document = {"amount": 52.48, "value": 110, "name": "Décathlon", "items": [None, True, "x"]}
    response = json_answer(document, status=201)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == document
    assert "Décathlon".encode() in response.content  # UTF-8, not \\u escapes


def test_anything_not_plain_json_is_a_bug_and_raises():
    with pytest.raises(TypeError):
        json_answer({"amount": Decimal("52.48")})  # amounts are written by core.formats first
