"""The demo partner page (/demo/) in a real browser."""

import re

from support.browser import screenshot
from support.seed import SEED_VOUCHER_FIELDS


def test_demo_page_shows_offers_reserves_and_shows_the_callback(platform, page):
    page.goto(f"{platform.url}/demo/")
    page.locator("#jackpot .offers .jk-card").first.wait_for()
    first_token = page.inner_text("#token")
    screenshot(page, "demo-offers-1280")

    page.click('#jackpot .jk-card[data-store="foulee"]')
    page.click("#jackpot .detail .jk-reserve")
    page.locator("#jackpot .confirmation").wait_for()
    page.wait_for_function("document.getElementById('voucher').textContent.includes('couponId')")
    shown = page.inner_text("#voucher")
    screenshot(page, "demo-confirmation-1280")
    for field in SEED_VOUCHER_FIELDS:
        assert f'"{field}"' in shown

    page.reload()  # a new visit signs a new token, so the widget works again
    page.locator("#jackpot .offers .jk-card").first.wait_for()
    assert page.inner_text("#token") != first_token
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", page.inner_text("#token"))


def test_demo_page_in_english_at_phone_width(platform, new_page):
    page = new_page(width=375, height=800)
    page.goto(f"{platform.url}/demo/?locale=en&amount=50")
    page.locator("#jackpot .offers .jk-card").first.wait_for()
    assert "€50" in page.inner_text("#jackpot .jk-balance").replace("\xa0", " ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    screenshot(page, "demo-offers-375")


def test_each_card_shows_the_monogram_the_voucher_pdf_prints(platform, page):
    from jackpot.catalog.models import Store
    from jackpot.catalog.monogram import monogram

    page.goto(f"{platform.url}/demo/")
    page.locator("#jackpot .offers .jk-card").first.wait_for()
    shown = page.evaluate(
        """[...document.querySelectorAll('#jackpot .jk-card')].map(card => [
            card.dataset.store, card.querySelector('.jk-monogram')?.textContent])"""
    )
    names = dict(Store.objects.values_list("id", "name"))
    assert dict(shown)["fil-et-trame"] == "FT"  # the PDF's rule, not "F&"
    assert shown and all(letters == monogram(names[store]) for store, letters in shown)


def test_a_test_token_makes_a_test_voucher_and_the_widget_says_test_mode(platform, page):
    """The widget unchanged, a token signed with the test apiSignature: a test voucher, and a
    badge that says so."""
    import json

    page.goto(f"{platform.url}/demo/?mode=test")
    page.locator("#jackpot .jk-test-badge").wait_for()
    assert page.inner_text("#jackpot .jk-test-badge").strip().lower() == "mode test"
    page.click('#jackpot .jk-card[data-store="foulee"]')
    page.click("#jackpot .detail .jk-reserve")
    page.locator("#jackpot .confirmation").wait_for()
    page.wait_for_function("document.getElementById('voucher').textContent.includes('couponId')")
    voucher = json.loads(page.inner_text("#voucher"))
    assert voucher["livemode"] is False

    page.goto(f"{platform.url}/demo/")  # a live token: no badge
    page.locator("#jackpot .offers .jk-card").first.wait_for()
    assert page.locator("#jackpot .jk-test-badge").count() == 0
