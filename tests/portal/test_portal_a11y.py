"""Accessibility of every portal page (axe-core in Chromium), on a laptop in English and on a
phone in French: no serious or critical issue, and nothing running out of its card. Pages are
audited as served, under their Content-Security-Policy; screenshots under
test-artifacts/screenshots/portal/a11y-*/."""

import pytest

from support.browser import overflows, serious_violations
from support.portal import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/portal/",
    "/portal/coupons/",
    "/portal/coupons/pending/",
    "/portal/refunds/",
    "/portal/wallet/",
    "/portal/legal/",
    "/portal/account/",
    "/portal/security/",
    "/portal/token-verifier/",
    "/portal/personal-data/?userId=user-100",
    "/portal/password/",
]


@pytest.mark.parametrize(("width", "locale"), [(1280, "en-GB"), (375, "fr-FR")])
def test_portal_pages_have_no_serious_accessibility_issue(shop, new_page, width, locale):
    url = shop["url"]
    page = new_page(width=width, height=900, locale=locale)
    folder = f"portal/a11y-{width}-{locale}"
    problems = {}

    def audit(name):
        found = serious_violations(page) + overflows(page, ".card, .page-head, .topbar")
        if found:
            problems[name] = found
        screenshot(page, name.strip("/").replace("/", "_") or "dashboard", folder=folder)

    page.goto(f"{url}/portal/login/")
    audit("login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click(".auth-card button[type=submit]")
    page.wait_for_selector("h1")
    for path in [*PAGES, f"/portal/coupons/{shop['ready'].pk}/"]:
        page.goto(f"{url}{path}")
        audit(path)
    page.goto(f"{url}/portal/token-verifier/")
    page.fill("textarea[name=token]", "not.a.token")
    page.click(".card button[type=submit]")
    page.wait_for_selector(".result")
    audit("token-verifier-result")
    page.goto(f"{url}/portal/personal-data/?userId=user-101")
    page.click("form[action$='/personal-data/erase/'] button[type=submit]")
    page.wait_for_selector("[role=alertdialog]")
    assert page.evaluate("document.activeElement.textContent") in (
        "Erase for good",
        "Effacer définitivement",
    )
    audit("personal-data-confirm")
    if width < 960:
        page.click("button.menu-button")
        page.wait_for_timeout(300)
        audit("menu-open")
    assert problems == {}
