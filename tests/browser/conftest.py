"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API keeps an event loop running in this thread, which Django's async-safety
check would take for async code touching the ORM; the tests are plain synchronous code.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import urlencode

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from widget_support import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, NO_CHROMIUM, screenshot  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts; any uncaught JavaScript error fails the test."""
    contexts, errors = [], []

    def make(width=1280, height=900, reduced_motion="reduce"):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            reduced_motion=reduced_motion,
            device_scale_factor=1,
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


@pytest.fixture
def page(new_page):
    return new_page()


@dataclass
class Platform:
    url: str

    def token(self, amount="100", **claims) -> str:
        from jackpot.tokens.samples import build_token

        claims = {"cp": "75000", "age": 40, "gender": "M", "userId": "u-1234", **claims}
        return build_token("demo", amount, **claims)

    def harness(self, name, token, options=None, **query) -> str:
        params = {"token": token, **query}
        if options is not None:
            params["options"] = json.dumps(options)
        return f"{self.url}/harness/{name}/?{urlencode(params)}"


@pytest.fixture
def platform(live_server, transactional_db, settings, tmp_path):
    """The live server with the demo catalogue, the demo partner and the harness pages."""
    from jackpot.catalog import importer
    from jackpot.demo import ensure_demo_partner
    from jackpot.vouchers import catalogue_import

    settings.ROOT_URLCONF = "harness_urls"
    settings.DATA_DIR = tmp_path
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    ensure_demo_partner()
    return Platform(live_server.url)


@pytest.fixture(scope="session")
def axe_script():
    """axe-core from npm, installed once into test-artifacts/ (gitignored)."""
    target = ARTIFACTS / "npm"
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm not found: cannot install axe-core for the accessibility audit")
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--prefix", str(target), "--no-audit", "--no-fund", "axe-core@4"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if not script.exists():
            pytest.skip(f"npm install axe-core@4 failed: {result.stderr.strip()[-300:]}")
    return script


@pytest.fixture
def shoot():
    return screenshot
