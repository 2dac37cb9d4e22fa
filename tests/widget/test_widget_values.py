"""The widget's value choice is the platform's list (`catalog.pricing.best_deals`): for 100 €,
Foulée Sport's slider goes from 110 € straight down to 107 €, never offering 108 € or 109 € for
the price of 110 €; a mixed store's values each appear once."""

from support.widget import text

# Every position of the slider, lowest first, as a screen reader reads it (aria-valuetext).
EVERY_POSITION = """() => {
  const range = document.querySelector('#jk-range'), seen = [];
  for (let i = 0; i <= Number(range.max); i++) {
    range.value = String(i);
    range.dispatchEvent(new Event('input'));
    seen.push(range.getAttribute('aria-valuetext').replace(/[\\u00a0\\u202f]/g, ' '));
  }
  return seen;
}"""


def open_store(platform, page, store):
    page.goto(platform.harness("embed", platform.token()))
    page.click(f'#jackpot .jk-card[data-store="{store}"]')
    page.locator("#jackpot .detail .informations").wait_for()


def test_the_slider_never_offers_a_smaller_voucher_for_the_same_price(platform, page):
    open_store(platform, page, "foulee")
    assert text(page.locator(".jk-reserve")) == "Obtenir mon bon de 110 €"
    assert "Vous payez\n100 €" in text(page.locator(".jk-summary"))

    page.locator("#jk-range").focus()
    page.keyboard.press("ArrowLeft")

    assert text(page.locator(".jk-reserve")) == "Obtenir mon bon de 107 €"
    assert "Vous payez\n99,07 €" in text(page.locator(".jk-summary"))
    shown = page.evaluate(EVERY_POSITION)
    assert len(shown) == len(set(shown))
    assert shown[-3:] == ["106 €", "107 €", "110 €"]
    assert "108 €" not in shown and "109 €" not in shown


def test_a_mixed_store_offers_each_value_once(platform, page):
    open_store(platform, page, "maison-lumen")

    shown = page.evaluate(EVERY_POSITION)

    assert len(shown) == len(set(shown)) > 1
