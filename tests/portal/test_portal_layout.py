"""The portal's layout in Chromium: the phone menu with the keyboard, charts and lists that fit
their boxes. Screenshots under test-artifacts/screenshots/portal/ (4x-*)."""

import pytest

from support.browser import overflows
from support.portal import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 812}

# Where the focus is: inside the sidebar or not, and what it is.
FOCUS = """() => { const e = document.activeElement;
  return {inSidebar: !!e.closest('#sidebar'), menu: e.classList.contains('menu-button'),
          close: e.hasAttribute('data-nav-close'), outline: getComputedStyle(e).outlineStyle}; }"""

# For each select and date input: the width its longest text needs, and the width it has.
FITS = """() => {
  const ctx = document.createElement('canvas').getContext('2d'), out = [];
  document.querySelectorAll('.filters select, .filters input[type=date]').forEach(e => {
    const style = getComputedStyle(e); ctx.font = style.font;
    const texts = e.tagName === 'SELECT' ? [...e.options].map(o => o.text) : ['00/00/0000'];
    const text = Math.max(...texts.map(t => ctx.measureText(t).width));
    const need = text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 22;
    if (need > e.clientWidth) out.push(`${e.name}: ${Math.round(need)} > ${e.clientWidth}`);
  });
  return out;
}"""


def signed_in(new_page, url, **options):
    page = new_page(**options)
    page.goto(f"{url}/portal/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click(".auth-card button[type=submit]")
    page.wait_for_selector("h1")
    return page


def tab_walk(page, presses: int) -> list[dict]:
    walked = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        walked.append(page.evaluate(FOCUS))
    return walked


def test_the_phone_menu_is_a_button_the_keyboard_reaches(live_server, new_page, alice):
    page = signed_in(new_page, live_server.url, **PHONE)
    button = page.locator("button.menu-button")
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "sidebar"
    assert page.locator("#sidebar").evaluate("e => getComputedStyle(e).visibility") == "hidden"

    page.evaluate("document.activeElement.blur()")
    walked = tab_walk(page, 6)
    assert not any(step["inSidebar"] for step in walked)  # the closed menu's links are skipped
    assert walked[0]["menu"] and walked[0]["outline"] != "none"  # first stop, focus visible

    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate(FOCUS)["close"]  # the focus went into the menu
    assert page.locator("#sidebar nav a").first.is_visible()
    screenshot(page, "40-menu-open-phone")
    walked = tab_walk(page, 5)
    assert all(step["inSidebar"] for step in walked)  # the page behind is inert meanwhile

    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate(FOCUS)["menu"]  # the focus is back on the button
    page.wait_for_timeout(300)
    assert page.locator("#sidebar").evaluate("e => getComputedStyle(e).visibility") == "hidden"

    button.click()
    page.click(".sidebar-close")
    assert button.get_attribute("aria-expanded") == "false"


def test_without_javascript_the_phone_menu_stays_on_the_page(live_server, new_page, alice):
    page = signed_in(new_page, live_server.url, java_script_enabled=False, **PHONE)
    assert page.locator("#sidebar nav a").first.is_visible()
    assert not page.locator("button.menu-button").is_visible()
    screenshot(page, "41-phone-without-javascript")


@pytest.mark.parametrize("width", [1280, 375])
def test_dashboard_charts_fit_their_boxes(shop, new_page, width):
    page = signed_in(new_page, shop["url"], width=width, height=900)
    charts = page.locator("svg.chart:visible")
    assert charts.count() == 3
    assert overflows(page, ".card") == []
    assert page.locator(".chart-wrap").evaluate_all(
        "ws => ws.every(w => w.scrollWidth <= w.clientWidth)"
    )
    today = page.locator("svg.chart:visible >> nth=0").locator("rect.hit").last
    box = today.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= width  # today's column is on screen
    screenshot(page, f"42-dashboard-{width}")


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_coupon_list_fits_a_laptop(shop, new_page, locale):
    page = signed_in(new_page, shop["url"], width=1280, height=900, locale=locale)
    page.goto(f"{shop['url']}/portal/coupons/")
    assert overflows(page, ".card") == []
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")  # the last column is not cut
    assert page.evaluate(FITS) == []  # no filter's text is cut
    screenshot(page, f"43-coupons-1280-{locale}")


def test_the_menu_buttons_are_named_in_french(alice_client):
    page = alice_client.get("/portal/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<span class="sr-only">Menu</span>' in page
    assert '<span class="sr-only">Fermer le menu</span>' in page
