"""Accessibility of the portal's pages (axe-core in Chromium): no serious or critical issue."""

import pytest

from support.portal import PASSWORD

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
]


def audit(page, axe_script) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_portal_pages_have_no_serious_accessibility_issue(
    live_server, new_page, axe_script, alice, acme, make_voucher
):
    make_voucher(acme, 30)
    # axe is injected as a script by the test, which the portal's CSP would rightly refuse.
    page = new_page(bypass_csp=True)
    page.goto(f"{live_server.url}/portal/login/")
    assert audit(page, axe_script) == []
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click(".auth-card button[type=submit]")
    page.wait_for_selector("h1")
    problems = {}
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        found = audit(page, axe_script)
        if found:
            problems[path] = found
    assert problems == {}
