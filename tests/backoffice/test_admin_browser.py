"""The operator admin in Chromium: sign in, take the main tools for a spin, photograph them
under test-artifacts/screenshots/admin/."""

import pytest

from jackpot.catalog.models import Campaign, Store
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import State, Voucher
from support.admin import OPERATOR_PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_tour(live_server, browser, operator, acme, make_voucher):
    for value in (30, 54, 110):
        voucher = make_voucher(acme, value)
        lifecycle.transition(voucher.pk, "confirm", "partner:acme")
    Voucher.objects.filter(pk=voucher.pk).update(state=State.REFUNDING)
    Store.objects.filter(pk="bookly").update(code_source="pool")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    url = live_server.url
    page.goto(f"{url}/admin/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", OPERATOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector(".jp-tools")
    assert "Jackpot operator" in page.locator("#site-name").inner_text()
    screenshot(page, "01-index")

    page.click("text=Preview offers")
    page.fill("#id_cp", "75011")
    page.fill("#id_age", "34")
    page.click("input[value=Preview]")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 4
    screenshot(page, "02-offers-preview")

    page.goto(f"{url}/admin/partners/partner/acme/change/")
    screenshot(page, "03-partner")
    page.goto(f"{url}/admin/vouchers/voucher/")
    screenshot(page, "04-vouchers")
    page.goto(f"{url}/admin/vouchers/voucher/{voucher.pk}/change/")
    screenshot(page, "05-voucher")

    # a refund decision through the action, with its reason
    page.goto(f"{url}/admin/vouchers/voucher/?state__exact=REFUNDING")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "accept_refund")
    page.click("button[name=index]")
    page.fill("#id_reason", "goods returned")
    screenshot(page, "06-refund-decision")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert Voucher.objects.get(pk=voucher.pk).state == State.REFUNDED

    page.goto(f"{url}/admin/vouchers/code/import/?store=bookly")
    screenshot(page, "07-code-import")
    page.goto(f"{url}/admin/webhooks/delivery/")
    screenshot(page, "08-deliveries")
    page.goto(f"{url}/admin/admin/logentry/")
    assert "goods returned" in page.content()
    screenshot(page, "09-audit-log")
    page.goto(f"{url}/admin/catalog/campaign/sportmax-launch/change/")
    screenshot(page, "10-campaign")
    context.close()


def test_tiers_are_rows_the_operator_adds_to(live_server, new_page, operator, catalog):
    page = new_page(width=1280)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", OPERATOR_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/catalog/campaign/bookly-min/change/")
    rows = page.locator(".field-tiers tr[data-row]")
    assert rows.count() == 3  # one tier, two blank rows
    page.locator(".field-tiers [data-rows-add]").click()
    assert rows.count() == 4
    added = page.locator("#id_tiers-3-from")
    assert added.get_attribute("aria-label") == "Tier 4 · From (amount paid, €)"
    assert page.evaluate("document.activeElement.id") == "id_tiers-3-from"
    added.fill("80")
    page.fill("#id_tiers-3-rate", "12,5")
    page.locator(".field-target_postcodes [data-rows-add]").click()
    page.fill("#id_target_postcodes-2-code", "2b")
    screenshot(page, "21-campaign-rows")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    campaign = Campaign.objects.get(pk="bookly-min")
    assert campaign.tiers == [
        {"from": "0.00", "rate": "0.10"},
        {"from": "80.00", "rate": "0.125"},
    ]
    assert campaign.target_postcodes == ["2B"]
    screenshot(page, "22-campaign-saved")
