"""The widget in a real browser, embedded as the integration guide tells partners to embed it."""

from jackpot.vouchers.models import Voucher
from support.seed import SEED_VOUCHER_FIELDS
from support.widget import text

CARDS = "#jackpot .offers .jk-card"


def reserve_with_mouse(page, store="foulee"):
    page.locator(CARDS).first.wait_for()
    page.click(f'#jackpot .jk-card[data-store="{store}"]')
    page.locator("#jackpot .detail .informations").wait_for()
    page.click("#jackpot .detail .informations .jk-reserve")
    page.locator("#jackpot .confirmation").wait_for()


def test_guide_complete_code_async(platform, page):
    page.goto(platform.harness("async", platform.token()))
    page.locator(CARDS).first.wait_for()
    assert page.locator(CARDS).count() >= 10
    foulee = page.locator('#jackpot .jk-card[data-store="foulee"]')
    assert "110 €" in text(foulee) and "+ 10 %" in text(foulee) and "+ 10 € offerts" in text(foulee)
    # The widget's stylesheet comes from the script's origin, before the host's <style>, so the
    # host's `#jackpot .detail .informations` rules win where they differ.
    link = page.locator("link[data-jckpt]")
    assert link.get_attribute("href") == f"{platform.url}/static/styles/widget-jackpot.css"
    assert page.evaluate(
        "document.querySelector('link[data-jckpt]').compareDocumentPosition("
        "document.querySelector('style')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )

    reserve_with_mouse(page)

    voucher = page.wait_for_function("window.receivedVoucher").json_value()
    assert SEED_VOUCHER_FIELDS <= voucher.keys()
    assert voucher["state"] == "CONFIRMED"
    assert (voucher["value"], voucher["initialAmount"]) == (110, 100)
    assert len(voucher["couponId"]) == 10
    assert Voucher.objects.get(pk=voucher["id"]).store_id == "foulee"
    assert voucher["couponId"] in page.inner_text("#jackpot .confirmation")


def test_guide_snippet_sync_and_the_guide_media_queries(platform, page):
    page.set_viewport_size({"width": 700, "height": 900})
    page.goto(platform.harness("sync", platform.token()))
    page.click('#jackpot .jk-card[data-store="plume-vagabonde"]')
    informations = page.locator("#jackpot .detail .informations")
    informations.wait_for()
    assert informations.evaluate("e => getComputedStyle(e).flexDirection") == "column-reverse"
    # Discrete values: a radio group; the largest the amount buys is chosen first.
    radios = page.get_by_role("radio")
    assert [r.get_attribute("value") for r in radios.all()] == ["10", "15", "20", "30", "50"]
    page.locator('#jackpot input[value="20"]').click()
    assert text(page.locator(".jk-reserve")) == "Obtenir mon bon de 20 €"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert informations.evaluate("e => getComputedStyle(e).flexDirection") == "row"

    page.click(".jk-reserve")
    voucher = page.wait_for_function("window.receivedVoucher").json_value()
    assert SEED_VOUCHER_FIELDS <= voucher.keys()
    assert (voucher["value"], voucher["initialAmount"], voucher["storeId"]) == (
        20,
        19,
        "plume-vagabonde",
    )


def test_replayed_token_reports_the_problem_and_shows_an_error(platform, page):
    token = platform.token()
    page.goto(platform.harness("embed", token))
    page.locator(CARDS).first.wait_for()

    page.goto(platform.harness("embed", token))
    error = page.locator('#jackpot .error .jk-error[data-reason="used"]')
    error.wait_for()
    problems = page.evaluate("window.problems")
    assert [p["code"] for p in problems] == ["token-already-used"]
    assert problems[0]["status"] == 409
    assert page.get_by_role("heading", name="Ce lien a déjà servi").is_visible()
    assert page.get_by_role("button", name="Recharger la page").is_visible()
    assert "token-already-used" in error.inner_text()
    assert {"type": "screen", "screen": "error", "reason": "used"} in page.evaluate("window.events")


def test_browser_history_moves_between_screens(platform, page):
    page.goto(platform.harness("embed", platform.token(), {"useBrowserHistory": True}))
    page.click('#jackpot .jk-card[data-store="foulee"]')
    page.locator("#jackpot .detail").wait_for()
    assert page.locator("#jackpot h2").inner_text() == "Foulée Sport"

    page.go_back()
    page.locator("#jackpot .offers").wait_for()
    assert page.evaluate("document.activeElement.id") == "jk-title"
    page.go_forward()
    page.locator("#jackpot .detail").wait_for()
    assert page.locator("#jackpot h2").inner_text() == "Foulée Sport"

    page.click("#jackpot .jk-back")  # the widget's own back button walks the same history
    page.locator("#jackpot .offers").wait_for()
    page.go_forward()
    page.locator("#jackpot .detail").wait_for()

    page.click(".jk-reserve")
    page.locator("#jackpot .confirmation").wait_for()
    page.go_back()  # the session is spent: going back keeps showing the voucher
    page.locator("#jackpot .confirmation").wait_for()
    screens = [e["screen"] for e in page.evaluate("window.events")]
    assert screens[:2] == ["loading", "offers"]
    assert screens[-2:] == ["confirmation", "confirmation"]
    assert {"offers", "detail"} <= set(screens)
    assert len(page.evaluate("window.vouchers")) == 1


def test_whole_reservation_with_the_keyboard(platform, page):
    page.goto(platform.harness("embed", platform.token()))
    page.locator(CARDS).first.wait_for()
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('jk-card')"):
            break
    store = page.evaluate("document.activeElement.dataset.store")
    assert store, "Tab never reached an offer"
    best = page.evaluate("document.activeElement.querySelector('.jk-card-value strong').innerText")

    page.keyboard.press("Enter")
    page.locator("#jackpot .detail").wait_for()
    assert page.evaluate("document.activeElement.id") == "jk-title"  # focus follows the screen
    assert best in page.inner_text(".jk-reserve")
    page.keyboard.press("Tab")  # into the value choice (radio group or slider)
    assert page.evaluate("document.activeElement.type") in ("radio", "range")
    page.keyboard.press("ArrowLeft")  # one value down
    assert best not in page.inner_text(".jk-reserve")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('jk-reserve')"):
            break
    page.keyboard.press("Enter")

    page.locator("#jackpot .confirmation").wait_for()
    assert page.evaluate("document.activeElement.id") == "jk-title"
    voucher = page.wait_for_function("window.vouchers[0]").json_value()
    assert voucher["storeId"] == store
    assert page.evaluate("document.querySelector('#jackpot [role=status]').textContent")


def test_network_down_then_retry(platform, page):
    page.route("**/v2/stores", lambda route: route.abort("internetdisconnected"))
    page.goto(platform.harness("embed", platform.token()))
    page.locator('#jackpot .jk-error[data-reason="network"]').wait_for()
    assert page.evaluate("window.problems[0].code") == "network-error"

    page.unroute("**/v2/stores")
    page.get_by_role("button", name="Réessayer").click()
    page.locator(CARDS).first.wait_for()
    assert page.evaluate("document.activeElement.id") == "jk-title"


def test_no_offer_for_the_amount(platform, page):
    page.goto(platform.harness("embed", platform.token(amount="1")))
    page.locator('#jackpot .jk-error[data-reason="empty"]').wait_for()
    assert "Aucune offre pour ce montant" in page.inner_text("#jackpot")
    assert "pour 1 €" in text(page.locator("#jackpot .jk-lead"))
    assert page.evaluate("window.problems") == []  # nothing failed: there is just no offer


def test_expired_and_forged_tokens(platform, page, settings):
    page.goto(platform.harness("embed", platform.token()[:-4] + "AAAA"))
    page.locator('#jackpot .jk-error[data-reason="refused"]').wait_for()
    assert page.evaluate("window.problems[0].code") == "invalid-signature"

    settings.JACKPOT_TOKEN_MAX_AGE = -120
    page.goto(platform.harness("embed", platform.token()))
    page.locator('#jackpot .jk-error[data-reason="expired"]').wait_for()
    assert page.evaluate("window.problems[0].code") == "token-expired"


def test_english_primary_colour_and_a_careless_host_stylesheet(platform, page):
    options = {"locale": "en", "primaryColor": "#0a7d4f"}
    page.goto(platform.harness("embed", platform.token(), options, hostile="1"))
    page.locator(CARDS).first.wait_for()
    assert page.get_by_role("heading", name="Convert your balance").is_visible()
    assert "€100" in text(page.locator("#jackpot .jk-balance"))
    assert page.locator("#jackpot").get_attribute("lang") == "en"
    # Nothing of the widget's CSS reaches the host page; the host's generic rules do not win.
    assert page.evaluate("getComputedStyle(document.getElementById('host-button')).fontSize") == (
        "30px"
    )
    title = page.locator("#jackpot h2")
    assert title.evaluate("e => getComputedStyle(e).fontSize") != "60px"

    page.click('#jackpot .jk-card[data-store="foulee"]')
    reserve = page.locator(".jk-reserve")
    assert text(reserve) == "Get my €110 voucher"
    assert reserve.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(10, 125, 79)"
    assert reserve.evaluate("e => getComputedStyle(e).fontStyle") == "normal"
