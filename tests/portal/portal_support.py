"""Helpers shared by the portal tests (a conftest is not importable)."""

import shutil
import time
from decimal import Decimal
from pathlib import Path

import jwt

from jackpot.tokens import sessions
from jackpot.vouchers import reservation

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots" / "portal"
CHROMIUM = shutil.which("chromium")
NO_CHROMIUM = "Chromium not found on PATH (Debian: apt-get install chromium); browser tests skipped"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery-staple"


def token(partner, signature: str, **claims) -> str:
    payload = {
        "amount": 200,
        "cp": "75011",
        "age": 35,
        "gender": "F",
        "userId": "user-42",
        "iat": int(time.time()),
        "notificationKey": f"nk-{time.monotonic_ns()}",
    }
    payload.update(claims)
    return jwt.encode(payload, signature, algorithm="HS256")


def reserve(partner, signature: str, value=30, store="sportmax", offer="sportmax-launch", **claims):
    """A voucher reserved for the partner the way the widget does it (token, session, offer)."""
    opened = sessions.exchange(token(partner, signature, **claims), client_id=partner.pk)
    return reservation.reserve(
        opened.session, store, offer, by="value", amount=Decimal(str(value))
    ).voucher


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
