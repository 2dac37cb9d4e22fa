"""Helpers for the admin tests (a conftest is not importable)."""

import time
from decimal import Decimal
from pathlib import Path

import jwt

from jackpot.tokens import sessions
from jackpot.vouchers import reservation

OPERATOR_PASSWORD = "operator-password-0123"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "admin"


def reserve(partner, signature, value=30, store="sportmax", offer="sportmax-launch", **claims):
    payload = {
        "amount": 200,
        "cp": "75011",
        "age": 35,
        "gender": "F",
        "userId": "user-7",
        "iat": int(time.time()),
        "notificationKey": f"nk-{time.monotonic_ns()}",
    }
    payload.update(claims)
    opened = sessions.exchange(
        jwt.encode(payload, signature, algorithm="HS256"), client_id=partner.pk
    )
    return reservation.reserve(
        opened.session, store, offer, by="value", amount=Decimal(str(value))
    ).voucher


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
