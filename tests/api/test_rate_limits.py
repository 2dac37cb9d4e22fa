"""Rate limits and Idempotency-Key records count only credentials that verified.

A header nobody checked is no credential: it neither opens a fresh counter (unlimited attempts
from one address) nor pushes real partners' counters out of the cache, and it writes nothing.
"""

import uuid

import pytest

from jackpot.api.models import IdempotencyRecord

VOUCHERS = "/v2/vouchers"


def remaining(response) -> int:
    return int(response["RateLimit-Remaining"])


@pytest.mark.parametrize("header", ["HTTP_APIKEY", "HTTP_AUTHORIZATION"])
def test_made_up_credentials_count_against_the_client_address(db, client, settings, header):
    settings.JACKPOT_RATE_LIMIT = 100
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 3
    prefix = "Bearer " if header == "HTTP_AUTHORIZATION" else ""
    statuses = [
        client.get(VOUCHERS, **{header: f"{prefix}jpk_made-up-{n}"}).status_code for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


def test_a_refused_credential_shares_the_anonymous_budget_of_its_address(db, client, settings):
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 2
    client.post("/v2/token", data="{}", content_type="application/json")
    client.get(VOUCHERS, HTTP_APIKEY="jpk_wrong")
    response = client.post("/v2/token", data="{}", content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "rate-limited"


def test_a_verified_credential_keeps_its_own_budget_beside_an_exhausted_address(
    partner, client, settings
):
    settings.JACKPOT_RATE_LIMIT = 5
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 1
    for _ in range(3):
        client.get(VOUCHERS, HTTP_APIKEY="jpk_made-up")
    response = client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey)
    assert response.status_code == 200 and remaining(response) == 4


def test_a_flood_of_made_up_headers_does_not_reset_a_partners_counter(partner, client, settings):
    settings.JACKPOT_RATE_LIMIT = 50
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 0  # unlimited: the flood gets through to the routes
    first = client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey)
    for n in range(400):  # more than the local-memory cache's default 300 entries
        client.get(VOUCHERS, HTTP_APIKEY=f"jpk_flood-{n}", REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}")
    again = client.get(VOUCHERS, HTTP_APIKEY=partner.issued.apiKey)
    assert remaining(first) == 49 and remaining(again) == 48


@pytest.mark.parametrize(
    "credential",
    [{"HTTP_APIKEY": "jpk_made-up"}, {"HTTP_AUTHORIZATION": "Bearer jks_made-up"}, {}],
)
def test_a_refused_credential_writes_no_idempotency_record(db, client, credential):
    response = client.put(
        f"/v2/voucher/{uuid.uuid4()}/confirm",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        **credential,
    )
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_a_verified_credential_keeps_its_idempotent_answer(partner, client):
    key = str(uuid.uuid4())
    path = f"/v2/voucher/{uuid.uuid4()}/confirm"
    headers = {"HTTP_APIKEY": partner.issued.apiKey, "HTTP_IDEMPOTENCY_KEY": key}
    first = client.put(path, content_type="application/json", **headers)
    again = client.put(path, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 404
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.count() == 1
