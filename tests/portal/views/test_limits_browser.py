"""The Limits page in Chromium with limits, refusals and users near them: no serious
accessibility issue, nothing out of its card, on a laptop in English and a phone in French
(screenshots under test-artifacts/screenshots/portal/limits-*)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.limits.models import LimitRefusal, UserUsage
from jackpot.partners import limits
from support.browser import overflows, serious_violations
from support.portal import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("width", "locale"), [(1280, "en-GB"), (375, "fr-FR")])
def test_the_limits_page_reads_well_and_is_accessible(acme, shop, new_page, width, locale):
    limits.set_limits(
        acme,
        {"perUserDay": 2, "perUserMonth": 3, "amountPerUserMonth": "150", "perAddressHour": 30},
    )
    today = timezone.now().date()
    for days, kind, n in ((0, "user-day", 3), (2, "address-hour", 12), (5, "user-amount-month", 1)):
        LimitRefusal.objects.create(
            partner=acme, day=today - timedelta(days=days), kind=kind, refusals=n
        )
    UserUsage.objects.filter(partner=acme, period="day").update(vouchers=2)
    page = new_page(width=width, height=900, locale=locale)
    page.goto(f"{shop['url']}/portal/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click(".auth-card button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"{shop['url']}/portal/limits/")
    page.wait_for_selector("h1")
    screenshot(page, "limits", folder=f"portal/limits-{width}-{locale}")
    assert serious_violations(page) + overflows(page, ".card, .page-head, .topbar") == []
    heading = "Limites" if locale.startswith("fr") else "Limits"
    assert page.locator("h1").inner_text() == heading
    assert page.locator("table").count() >= 2
