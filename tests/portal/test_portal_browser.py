"""The portal in a real browser (Chromium through Playwright) against the live server.

A partner user signs in, confirms two pending coupons at once, exports the coupon list, rotates
its apiSignature (a token signed with the old one is accepted during the grace period and
refused after it), and every section is photographed under test-artifacts/screenshots/portal/.
"""

import csv
import io
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from jackpot.partners.models import ApiSignature
from jackpot.portal.views import coupons as coupon_views
from jackpot.vouchers.models import State, Voucher
from support.portal import PASSWORD, screenshot
from support.tokens import partner_token

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, url, username="alice", password=PASSWORD):
    page.goto(f"{url}/portal/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click(".auth-card button[type=submit]")
    page.wait_for_selector("h1")


def exchange(url, raw_token):
    return httpx.post(
        f"{url}/v2/token", json={"client_id": "acme", "assertion": raw_token}, timeout=10
    )


def test_partner_journey(shop, new_page, monkeypatch):
    monkeypatch.setattr(coupon_views, "PAGE_SIZE", 5)  # pages to turn with a few coupons
    url = shop["url"]
    page = new_page()
    page.goto(f"{url}/portal/")
    assert "/portal/login/" in page.url
    screenshot(page, "01-login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "wrong password")
    page.click(".auth-card button[type=submit]")
    page.wait_for_selector(".flash-error")
    sign_in(page, url)
    assert page.locator("h1").inner_text().startswith("Hello")
    assert page.locator("svg.chart:visible").count() == 3
    screenshot(page, "02-dashboard")

    # --- confirm two pending coupons at once
    page.click("nav >> text=To confirm")
    first, second, third = shop["pending"]
    screenshot(page, "03-pending")
    page.check(f"input[value='{first.pk}']")
    page.check(f"input[value='{second.pk}']")
    page.click("button[value=confirm]")
    page.wait_for_selector(".flash-success")
    assert "2 vouchers confirmed" in page.locator(".flash-success").inner_text()
    states = dict(
        Voucher.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "state")
    )
    assert states == {
        first.pk: State.CONFIRMED,
        second.pk: State.CONFIRMED,
        third.pk: State.RESERVED,
    }
    assert Voucher.objects.get(pk=first.pk).events.last().actor == "portal:alice"

    # --- coupon list, filtered, exported as CSV
    page.click("nav >> text=Coupons")
    page.select_option("select[name=store]", "sportmax")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**/portal/coupons/?*store=sportmax*")
    screenshot(page, "04-coupons")
    # the next page keeps the filter, says where it is; the export still takes the whole list
    first_page = page.locator("table.vouchers tbody tr").all_inner_texts()
    page.click("a[rel=next]")
    page.wait_for_url("**/portal/coupons/?*after=*")
    assert "store=sportmax" in page.url
    assert page.locator("table.vouchers tbody tr").count() == 5
    assert not set(page.locator("table.vouchers tbody tr").all_inner_texts()) & set(first_page)
    assert "Reserved" in page.locator(".page-info").inner_text()
    screenshot(page, "04b-coupons-next-page")
    with page.expect_download() as info:
        page.click("a:has-text('Export CSV')")
    download = info.value
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    expected = set(
        Voucher.objects.filter(partner_id="acme", store_id="sportmax").values_list(
            "coupon_id", flat=True
        )
    )
    assert {r["couponId"] for r in rows} == expected and expected
    assert download.suggested_filename.startswith("coupons-acme-")

    # --- a coupon's detail: events, notifications with attempts, PDF link, refund
    page.goto(f"{url}/portal/coupons/{shop['ready'].pk}/")
    page.click("details.attempts summary")
    assert (
        page.locator("a:has-text('Voucher PDF')")
        .get_attribute("href")
        .startswith(f"/v2/voucher/{shop['ready'].pk}/pdf?sig=")
    )
    screenshot(page, "05-coupon-detail")
    page.click("button:has-text('Re-send')")
    page.wait_for_selector(".flash-success")
    page.fill("#refund input[name=reason]", "order returned")
    page.click("#refund button")
    page.wait_for_selector(".flash-success")
    assert Voucher.objects.get(pk=shop["ready"].pk).state == State.REFUNDING
    page.click("nav >> text=Refunds")
    screenshot(page, "06-refunds")

    # --- rotate the apiSignature with a grace period
    old_token = partner_token(shop_signature := ApiSignature.objects.get(partner_id="acme").secret)
    page.click("nav >> text=Security & API keys")
    screenshot(page, "07-security")
    page.select_option("select[name=signature-grace]", "86400")
    page.click("button:has-text('Rotate the apiSignature')")
    new_signature = page.locator("[data-secret]").inner_text().strip()
    assert new_signature and new_signature != shop_signature
    screenshot(page, "08-security-new-signature")
    assert exchange(url, old_token).status_code == 200  # old signature: still in its grace
    assert exchange(url, partner_token(new_signature)).status_code == 200
    page.reload()  # the secret was shown once
    assert new_signature not in page.content()
    # the grace period ends
    ApiSignature.objects.filter(partner_id="acme", secret=shop_signature).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )
    late = partner_token(shop_signature)
    refused = exchange(url, late)
    assert refused.status_code == 401 and refused.json()["code"] == "invalid-signature"
    assert exchange(url, partner_token(new_signature)).status_code == 200

    # --- the token verifier says the same, without burning the token
    page.click("nav >> text=Token verifier")
    page.fill("textarea[name=token]", late)
    page.click("button:has-text('Verify')")
    assert "would be refused" in page.locator(".result h2").inner_text()
    fresh = partner_token(new_signature)
    page.fill("textarea[name=token]", fresh)
    page.click("button:has-text('Verify')")
    assert "would be accepted" in page.locator(".result h2").inner_text()
    screenshot(page, "09-token-verifier")
    assert exchange(url, fresh).status_code == 200  # verifying did not burn it

    # --- the other sections
    for name, title in (
        ("10-wallet", "Wallet & statements"),
        ("11-legal", "Legal information"),
        ("12-general", "General information"),
    ):
        page.click(f"nav >> text={title}")
        page.wait_for_selector("h1")
        screenshot(page, name)
    with page.expect_download() as info:
        page.goto(f"{url}/portal/wallet/")
        page.click("a:has-text('PDF')")
    assert open(info.value.path(), "rb").read(4) == b"%PDF"


def test_french_and_small_screens(shop, new_page, monkeypatch):
    monkeypatch.setattr(coupon_views, "PAGE_SIZE", 10)
    url = shop["url"]
    page = new_page(locale="fr-FR")
    sign_in(page, url)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text().startswith("Bonjour")
    screenshot(page, "20-dashboard-fr")
    page.click("nav >> text=Coupons en attente")
    assert page.locator("button[value=confirm]").inner_text() == "Confirmer la sélection"
    screenshot(page, "21-pending-fr")
    page.click("nav >> text=Coupons >> nth=0")
    page.wait_for_selector(".pagination")
    assert "Première page" in page.locator(".page-info").inner_text()
    page.click("a[rel=next]")
    assert "Réservé" in page.locator(".page-info").inner_text()
    screenshot(page, "22-coupons-fr-next-page")
    page.click("button[value=en]")
    page.wait_for_selector("html[lang=en]")
    mobile = new_page(width=390, height=844)
    sign_in(mobile, url)
    screenshot(mobile, "30-dashboard-mobile")
    mobile.click("button.menu-button")
    mobile.wait_for_timeout(300)
    screenshot(mobile, "31-menu-mobile")
    mobile.goto(f"{url}/portal/coupons/")
    screenshot(mobile, "32-coupons-mobile")
    login = new_page(width=390, height=844)
    login.goto(f"{url}/portal/login/")
    screenshot(login, "33-login-mobile")
