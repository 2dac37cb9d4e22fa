"""Constants and helpers shared by the browser tests (conftest itself is not importable)."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
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
SEED_VOUCHER_FIELDS = {
    "id",
    "state",
    "value",
    "initialAmount",
    "reservationDate",
    "validityDate",
    "resaExpireDate",
    "couponId",
    "confirmDate",
    "paymentState",
    "customTransactionId",
    "backUrl",
    "walletOperationId",
    "sendDate",
    "url",
}


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def text(locator) -> str:
    """Visible text with Intl's no-break spaces (before € and %) made plain spaces."""
    return locator.inner_text().replace("\xa0", " ").replace("\u202f", " ")
