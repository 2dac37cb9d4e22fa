"""One Chromium for every browser test of the run: Debian's, driven by Playwright's sync API.

Registered by tests/conftest.py (`pytest_plugins`), so widget, portal and operator tests share the
session-wide `browser`: Playwright's sync API refuses to start a second time while one runs in the
same thread, and one Chromium start (about a second) is enough. Each test gets fresh contexts
(`new_page`), so no cookie or storage crosses from one test to the next.

Skipped, saying why, where `chromium` is not on PATH. Screenshots go to test-artifacts/ (ignored by
git) for a human to look at. Accessibility audits use the axe-core that axe-playwright-python ships
(the test extra): `serious_violations(page)`.
"""

import shutil
from pathlib import Path

import pytest

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
    """The path of axe-core's script, as axe-playwright-python ships it."""
    from axe_playwright_python import base

    return base.AXE_FILE_PATH


def serious_violations(page, context=None) -> list[str]:
    """axe-core's serious and critical findings on the page (or within `context`, a selector),
    one line each: rule, impact, what it asks, the first elements concerned.

    The script is evaluated through the browser's devtools channel, which the pages'
    Content-Security-Policy does not govern: the pages are audited as they are served.
    """
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, context=context).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


_OVERFLOW = """box => {
  const root = document.documentElement, out = [];
  if (root.scrollWidth > root.clientWidth) out.push(`the page: ${root.scrollWidth} px wide`);
  const clips = e => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX);
  document.querySelectorAll(box).forEach(container => {
    const rect = container.getBoundingClientRect(), style = getComputedStyle(container);
    const edge = {  // the content box: the padding is the box's own margin
      left: rect.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
      right: rect.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
    };
    container.querySelectorAll('*').forEach(e => {
      if (!e.checkVisibility()) return;
      for (let up = e.parentElement; up && up !== container; up = up.parentElement) {
        if (clips(up)) return;  // inside a box that scrolls or clips by design
      }
      const r = e.getBoundingClientRect();
      if (r.width && (r.right > edge.right + 0.5 || r.left < edge.left - 0.5)) {
        out.push(e.outerHTML.slice(0, 100));
      }
    });
  });
  return out;
}"""


def overflows(page, box: str) -> list[str]:
    """What sticks out: the page wider than the window, or an element out of the content box of
    its `box` (a selector: the cards, the admin's content), other than inside a box that scrolls
    or clips."""
    return page.evaluate(_OVERFLOW, box)
