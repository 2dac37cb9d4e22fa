"""Vouchers reserved the way the widget reserves them: a partner token, a session, an offer.

`reserve` goes through the services (fast, for tests about what happens to a voucher next);
`reserve_via_api` through the HTTP API with Django's test client (for tests about the answers);
`reserve_over_http` against a live server, as a browser would (for tests about concurrency).
`new_session` skips the token altogether (for the ledger's state machine, where speed counts).
"""

import secrets
from datetime import timedelta
from decimal import Decimal

import httpx
from django.utils import timezone

from jackpot.partners.models import Partner
from jackpot.tokens import sessions
from jackpot.tokens.models import Session
from jackpot.vouchers import reservation
from support.tokens import partner_token

RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"
# The user of the portal's and the operator's vouchers: a Paris adult with 200 € to convert,
# enough for every value the small catalogue offers.
SHOPPER = {"amount": 200, "cp": "75011", "age": 35, "gender": "F", "userId": "user-42"}


def reserve_in_session(opened, value=30, store="sportmax", offer="sportmax-launch"):
    """The voucher an opened session (`sessions.exchange`) reserves, by value."""
    return reservation.reserve(
        opened.session, store, offer, by="value", amount=Decimal(str(value))
    ).voucher


def reserve(partner, signature=None, value=30, store="sportmax", offer="sportmax-launch", **claims):
    """A voucher reserved for the partner (its apiSignature unless `signature`) by SHOPPER."""
    token = partner_token(signature or partner.issued.apiSignature, **{**SHOPPER, **claims})
    return reserve_in_session(sessions.exchange(token, client_id=partner.pk), value, store, offer)


def reserve_via_api(api_client, token: str, value=30, path: str = RESERVE) -> dict:
    """POST /v2/token then the reservation, with the `api_client` fixture; the 201's voucher."""
    session = api_client.session(token)
    status, voucher = api_client.post(path, {"value": value}, bearer=session)
    assert status == 201, voucher
    return voucher


def reserve_over_http(base_url: str, token: str, value=30, path=RESERVE, client_id="acme") -> dict:
    """POST /v2/token then the reservation, with httpx against a live server; the voucher."""
    session = httpx.post(
        f"{base_url}/v2/token", json={"client_id": client_id, "assertion": token}, timeout=30
    ).json()["access_token"]
    return httpx.post(
        f"{base_url}{path}",
        json={"value": value},
        headers={"Authorization": f"Bearer {session}"},
        timeout=30,
    ).json()


def new_session(partner: Partner) -> Session:
    """A live session, as `POST /v2/token` opens it for a Paris adult with 100 €."""
    now = timezone.now()
    return Session.objects.create(
        partner=partner,
        credential_digest=secrets.token_hex(32),
        amount=Decimal("100.00"),
        currency=partner.currency,
        claims={},
        notification_key=f"machine-{secrets.token_hex(8)}",
        user_id="u-machine",
        postcode="75000",
        age=40,
        gender="M",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
