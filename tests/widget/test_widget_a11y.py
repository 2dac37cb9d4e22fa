"""Accessibility audit (axe-core) and screenshots of every screen at phone and desktop widths.

Screenshots land in test-artifacts/screenshots/ (gitignored) for a human to look at.
"""

import pytest

from support.browser import screenshot

STYLED = "getComputedStyle(document.getElementById('jackpot')).visibility === 'visible'"
AUDIT = """async () => {
  const result = await axe.run(document.getElementById('jackpot'));
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def audit(page, axe_script, screen):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(AUDIT)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{screen}: {serious}"
    return violations


@pytest.mark.parametrize("width", [375, 1280])
def test_every_screen_is_accessible_and_captured(platform, new_page, axe_script, width):
    page = new_page(width=width, height=800)
    token = platform.token()
    page.goto(platform.harness("embed", token))
    page.locator("#jackpot .offers .jk-card").first.wait_for()
    page.wait_for_function(STYLED)
    screenshot(page, f"offers-{width}")
    # The context asks for reduced motion: the screen's entrance animation is switched off.
    duration = page.evaluate(
        "getComputedStyle(document.querySelector('#jackpot .screen')).animationDuration"
    )
    assert float(duration.rstrip("s")) < 0.001
    audit(page, axe_script, "offers")

    page.click('#jackpot .jk-card[data-store="foulee"]')
    page.locator("#jackpot .detail .informations").wait_for()
    screenshot(page, f"detail-{width}")
    audit(page, axe_script, "detail (slider)")

    page.click("#jackpot .jk-back")
    page.click('#jackpot .jk-card[data-store="fil-et-trame"]')
    page.locator("#jackpot .detail .jk-chips").wait_for()
    screenshot(page, f"detail-chips-{width}")
    audit(page, axe_script, "detail (chips)")

    page.click("#jackpot .jk-reserve")
    page.locator("#jackpot .confirmation").wait_for()
    screenshot(page, f"confirmation-{width}")
    audit(page, axe_script, "confirmation")

    page.goto(platform.harness("embed", token))  # replayed: the error screen
    page.locator('#jackpot .jk-error[data-reason="used"]').wait_for()
    screenshot(page, f"error-used-{width}")
    audit(page, axe_script, "error")


@pytest.mark.parametrize("width", [375, 1280])
def test_loading_and_network_screens_captured(platform, new_page, axe_script, width):
    page = new_page(width=width, height=700)
    page.route("**/v2/stores", lambda route: None)  # never answered: the loading screen stays
    page.goto(platform.harness("embed", platform.token()))
    page.locator("#jackpot .loading").wait_for()
    page.wait_for_function(STYLED)
    screenshot(page, f"loading-{width}")

    page = new_page(width=width, height=700)
    page.route("**/v2/stores", lambda route: route.abort("internetdisconnected"))
    page.goto(platform.harness("embed", platform.token()))
    page.locator('#jackpot .jk-error[data-reason="network"]').wait_for()
    screenshot(page, f"error-network-{width}")
    audit(page, axe_script, "network error")
