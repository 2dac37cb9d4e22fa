"""The demo partner page reads its claims as the platform does: an amount as `core.money` reads
one, a postcode as `core.formats.POSTCODE` does; what it refuses is a 400 naming the claim."""

import re

import jwt
import pytest

from jackpot.demo import ensure_demo_partner


@pytest.fixture
def demo_page(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path


def claims(response) -> dict:
    assert response.status_code == 200, response.content
    token = re.search(r'var token="([^"]+)"', response.content.decode()).group(1)
    return jwt.decode(token, ensure_demo_partner()["apiSignature"], algorithms=["HS256"])


@pytest.mark.parametrize(
    "query, amount, cp",
    [
        ("amount=12,5&cp=2a004", 12.5, "2A004"),  # a decimal comma; Corsica in lower case
        ("amount=100.00&cp=75", 100, "75"),  # a department
    ],
)
def test_the_page_signs_what_it_was_given(client, demo_page, query, amount, cp):
    signed = claims(client.get(f"/demo/?{query}"))

    assert (signed["amount"], signed["cp"]) == (amount, cp)


@pytest.mark.parametrize(
    "query, problem",
    [
        ("amount=100_0", "amount must be a positive number"),
        ("amount=1e3", "amount must be a positive number"),
        ("amount=10.001", "amount must be a positive number"),
        ("cp=2C004", "cp must be a postcode or a department number"),
        ("cp=750001", "cp must be a postcode or a department number"),
        ("cp=A2", "cp must be a postcode or a department number"),
    ],
)
def test_the_page_refuses_what_the_platform_would(client, demo_page, query, problem):
    response = client.get(f"/demo/?{query}")

    assert response.status_code == 400
    assert problem in response.content.decode()
