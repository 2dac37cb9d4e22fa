"""The portal in a real browser (Chromium through Playwright) against the live server.

A partner user signs in, confirms two pending coupons at once, exports the coupon list, rotates
its apiSignature (a token signed with the old one is accepted during the grace period and
refused after it), and every section is photographed under test-artifacts/screenshots/portal/.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from jackpot.ledger import services as ledger
from jackpot.partners.models import ApiSignature
from jackpot.portal.views import coupons as coupon_views
from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import State, Voucher
from jackpot.vouchers.rollup import rebuild
from jackpot.webhooks.models import Attempt, Delivery
from support.portal import PASSWORD, screenshot
from support.reservations import reserve
from support.tokens import partner_token

pytestmark = pytest.mark.django_db(transaction=True)

# (store, offer, value): a spread of vouchers over the small catalogue's three stores
ORDERS = [
    ("sportmax", "sportmax-launch", 110),
    ("sportmax", "sportmax-launch", 54),
    ("bookly", "bookly-min", 50),
    ("mixte", "mixte-all.majoration", 60),
    ("sportmax", "sportmax-launch", 30),
    ("bookly", "bookly-min", 20),
    ("mixte", "mixte-all.minoration", 100),
    ("sportmax", "sportmax-launch", 75),
]


@pytest.fixture
def shop(acme, alice, live_server):
    """acme with a month of confirmed vouchers, three pending ones, a statement, a wallet."""
    now = timezone.now()
    due = []
    for i in range(18):
        store, offer, value = ORDERS[i % len(ORDERS)]
        voucher = reserve(
            acme, acme.signature, value=value, store=store, offer=offer, userId=f"user-{100 + i}"
        )
        lifecycle.transition(voucher.pk, "confirm", "partner:acme")
        moment = now - timedelta(days=(i * 5) % 27, hours=i)
        Voucher.objects.filter(pk=voucher.pk).update(confirm_date=moment, reservation_date=moment)
        if i < 6:
            due.append(voucher)
    rebuild()  # the dashboard's days follow the confirmation dates moved above
    payments.issue_statement(
        acme, now - timedelta(days=40), now - timedelta(days=3), "operator:ops"
    )
    ledger.credit_wallet(
        acme, Decimal("750.00"), reference="wire 2026-11", created_by="operator:ops"
    )
    ledger.wallet_account(acme).__class__.objects.filter(partner=acme).update(
        low_balance_threshold=Decimal("200.00")
    )
    ready = Voucher.objects.filter(partner=acme, state=State.CONFIRMED).first()
    Voucher.objects.filter(pk=ready.pk).update(state=State.READY)
    delivery = Delivery.objects.filter(
        partner=acme, event__notification_key=ready.notification_key
    ).first()
    Delivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=2, last_status_code=503, last_error="Service Unavailable"
    )
    for n, code in ((1, 500), (2, 503)):
        Attempt.objects.create(
            delivery=delivery,
            number=n,
            started_at=now - timedelta(minutes=10 - n),
            duration_ms=120 * n,
            status_code=code,
        )
    pending = [reserve(acme, acme.signature, value=v) for v in (30, 54, 110)]
    return {"pending": pending, "ready": ready, "url": live_server.url}


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
    assert page.locator("svg.chart").count() == 3
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
    mobile.click("label.menu-button")
    mobile.wait_for_timeout(300)
    screenshot(mobile, "31-menu-mobile")
    mobile.goto(f"{url}/portal/coupons/")
    screenshot(mobile, "32-coupons-mobile")
    login = new_page(width=390, height=844)
    login.goto(f"{url}/portal/login/")
    screenshot(login, "33-login-mobile")
