"""The widget tells its user, in the user's language, which abuse limit refused a reservation."""

from jackpot.partners import limits
from jackpot.partners.models import Partner

CARDS = "#jackpot .offers .jk-card"


def try_to_reserve(page, url, store="foulee"):
    page.goto(url)
    page.locator(CARDS).first.wait_for()
    page.click(f'#jackpot .jk-card[data-store="{store}"]')
    page.locator("#jackpot .detail .informations").wait_for()
    page.click("#jackpot .detail .informations .jk-reserve")


def test_a_user_over_the_daily_limit_reads_why_in_french(platform, page):
    limits.set_limits(Partner.objects.get(pk="demo"), {"perUserDay": 1})
    try_to_reserve(page, platform.harness("embed", platform.token(notificationKey="first")))
    page.locator("#jackpot .confirmation").wait_for()

    try_to_reserve(page, platform.harness("embed", platform.token(notificationKey="second")))
    error = page.locator('#jackpot .jk-error[data-reason="userDay"]')
    error.wait_for()
    assert page.get_by_role("heading", name="Limite du jour atteinte").is_visible()
    assert "Prochain bon possible le" in error.inner_text()
    assert "user-limit-reached" in error.inner_text()
    problem = page.evaluate("window.problems[0]")
    assert (problem["code"], problem["limit"], problem["window"]) == (
        "user-limit-reached",
        "vouchers",
        "day",
    )


def test_too_many_reservations_from_one_address_in_english(platform, page):
    limits.set_limits(Partner.objects.get(pk="demo"), {"perAddressHour": 1})
    english = {"locale": "en"}
    try_to_reserve(page, platform.harness("embed", platform.token(userId="a"), english))
    page.locator("#jackpot .confirmation").wait_for()

    try_to_reserve(page, platform.harness("embed", platform.token(userId="b"), english))
    error = page.locator('#jackpot .jk-error[data-reason="address"]')
    error.wait_for()
    assert page.get_by_role("heading", name="Too many reservations").is_visible()
    assert "Try again on" in error.inner_text()
    assert page.evaluate("window.problems[0].status") == 429
