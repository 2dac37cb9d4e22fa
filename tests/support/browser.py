"""One Chromium for every browser test of the run: Debian's, driven by Playwright's sync API.

Registered by tests/conftest.py (`pytest_plugins`), so widget, portal and operator tests share the
session-wide `browser`: Playwright's sync API refuses to start a second time while one runs in the
same thread, and one Chromium start (about a second) is enough. Each test gets fresh contexts
(`new_page`), so no cookie or storage crosses from one test to the next.

Skipped, saying why, where `chromium` is not on PATH. Screenshots go to test-artifacts/ (ignored by
git) for a human to look at.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = ARTIFACTS / "npm" / "node_modules" / "axe-core" / "axe.min.js"
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


def screenshot(page, name: str, folder: str = "") -> None:
    """The whole page as test-artifacts/screenshots/<folder>/<name>.png."""
    target = SCREENSHOTS / folder
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread from now on; Django's
        # async-safety check would take the (synchronous) tests' ORM calls for async code.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
        finally:
            playwright.stop()


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts (keyword arguments: Playwright's context options); any uncaught
    JavaScript error fails the test."""
    contexts, errors = [], []

    def make(width=1280, height=900, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=1, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def axe_script():
    """axe-core from npm, installed once into test-artifacts/ (ignored by git)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm not found: cannot install axe-core for the accessibility audit")
        target = ARTIFACTS / "npm"
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--prefix", str(target), "--no-audit", "--no-fund", "axe-core@4"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if not AXE.exists():
            pytest.skip(f"npm install axe-core@4 failed: {result.stderr.strip()[-300:]}")
    return AXE
