"""The token verifier writes a token's time claims as dates in the reader's language, with the
raw number the token carries beside them."""

import time
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from support.tokens import partner_token

pytestmark = pytest.mark.django_db


def test_iat_and_exp_are_dates_with_their_raw_seconds(alice_client, acme):
    iat = int(time.time())
    token = partner_token(acme.signature, iat=iat, exp=iat + 3600)
    moment = datetime.fromtimestamp(iat, tz=UTC)

    french = alice_client.post(reverse("portal:token"), {"token": token}, HTTP_ACCEPT_LANGUAGE="fr")
    page = french.content.decode()
    assert f'{moment:%d/%m/%Y %H:%M:%S} UTC</time> <span class="mono muted">({iat})</span>' in page
    assert "émis le" in page and "expire le" in page
    assert f"&quot;iat&quot;: {iat}" in page  # the claims as the token carries them

    english = alice_client.post(
        reverse("portal:token"), {"token": token}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = english.content.decode()
    assert f"{moment.day} {moment:%b %Y, %H:%M:%S} UTC</time>" in page and "issued at" in page


@pytest.mark.parametrize("iat", ["yesterday", True, 10**20, None])
def test_a_time_claim_that_is_no_usable_number_is_not_written_as_a_date(alice_client, acme, iat):
    token = partner_token(acme.signature, iat=iat)
    response = alice_client.post(reverse("portal:token"), {"token": token})
    assert response.status_code == 200
    assert response.context["times"] == []
    assert response.context["report"]["valid"] is False
