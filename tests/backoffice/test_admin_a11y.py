"""Every operator admin page in Chromium, on a laptop and on a phone: no serious or critical
accessibility issue (axe-core), no page wider than the window; the store page, whose campaigns
once ran it to 1,710 px, fits 1,280 px. Screenshots under test-artifacts/screenshots/admin/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jackpot.catalog.models import Store
from jackpot.ledger import services as ledger
from jackpot.partners.services import create_partner_user
from jackpot.vouchers import catalogue_import, lifecycle, payments
from jackpot.vouchers.codes import merchant
from support.admin import OPERATOR_PASSWORD, screenshot
from support.browser import overflows, serious_violations
from support.catalogue import pool_store

pytestmark = pytest.mark.django_db(transaction=True)

# Tool pages answering a GET with a page (the others are POST-only or downloads).
NOT_PAGES = ("_csv", "_pdf", "_merchant_key", "_disable", "_end", "_api_key")


@pytest.fixture
def history(operator, acme, make_voucher):
    """A row in every table the admin shows: vouchers, codes, statements, money, users…"""
    for value in (30, 54):
        voucher = make_voucher(acme, value)
        lifecycle.transition(voucher.pk, "confirm", "partner:acme")
    make_voucher(acme, 110)
    now = timezone.now()
    payments.issue_statement(acme, now - timedelta(days=30), now + timedelta(minutes=1), "ops")
    ledger.credit_wallet(acme, Decimal("500.00"), reference="wire 12", created_by="operator:ops")
    catalogue_import.import_catalog({"stores": [pool_store([{"code": "H-1", "value": 20}])]})
    merchant.issue_store_key(Store.objects.get(pk="halles"))
    create_partner_user(acme, "alice", password="a-long-password-1234", email="a@acme.example")
    Group.objects.create(name="support")


def admin_pages(operator) -> list[tuple[str, str]]:
    """(name, URL) of every admin page: index, apps, and per model its list, add form (where one
    may add), first object's page and its tool pages; a store's history and delete pages."""
    request = RequestFactory().get("/admin/")
    request.user = operator
    pages = [("index", reverse("admin:index")), ("password", reverse("admin:password_change"))]
    apps = sorted({m._meta.app_label for m in admin.site._registry})
    pages += [(f"app-{app}", reverse("admin:app_list", args=[app])) for app in apps]
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages += [(f"{info}-list", reverse(f"admin:{info}_changelist"))]
        if model_admin.has_add_permission(request):
            pages += [(f"{info}-add", reverse(f"admin:{info}_add"))]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pk = first.pk
            pages += [(f"{info}-change", reverse(f"admin:{info}_change", args=[pk]))]
        for pattern in model_admin.get_urls():
            name = pattern.name or ""
            own = name.startswith(info) and not name.endswith(
                ("_changelist", "_add", "_change", "_delete", "_history", *NOT_PAGES)
            )
            if not own:
                continue
            needs_pk = "object_id" in str(pattern.pattern)
            if needs_pk and first is None:
                continue
            pages += [(name, reverse(f"admin:{name}", args=[pk] if needs_pk else []))]
    store = "bookly"  # deletable: no voucher
    pages += [
        ("store-history", reverse("admin:catalog_store_history", args=[store])),
        ("store-delete", reverse("admin:catalog_store_delete", args=[store])),
    ]
    return pages


def sign_in(page, url):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", OPERATOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


@pytest.mark.parametrize("width", [1280, 375])
def test_every_admin_page_is_accessible(live_server, new_page, operator, history, width):
    page = new_page(width=width, height=900)
    page.goto(f"{live_server.url}/admin/login/")
    problems = {"login": serious_violations(page)}
    sign_in(page, live_server.url)
    for name, path in admin_pages(operator):
        response = page.goto(f"{live_server.url}{path}")
        if response.status != 200 or "text/html" not in response.headers["content-type"]:
            problems[name] = [f"{path} answered {response.status}"]
            continue
        problems[name] = serious_violations(page) + overflows(page, "#content-main")
        screenshot(page, name, folder=f"admin/a11y-{width}")
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_store_page_fits_a_laptop(live_server, new_page, history):
    page = new_page(width=1280, height=900)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}{reverse('admin:catalog_store_change', args=['sportmax'])}")
    assert page.locator(".inline-group").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert overflows(page, "#content-main") == []
    screenshot(page, "20-store-1280")
