"""The operator admin's tests: the operator's password, the screenshots' folder."""

import functools

from support import browser

OPERATOR_PASSWORD = "operator-password-0123"

screenshot = functools.partial(browser.screenshot, folder="admin")


def partner_change(**fields) -> dict:
    """What the admin's partner form posts when nothing but `fields` changes (no inline rows)."""
    return {
        "name": "Acme",
        "enabled": "on",
        "notification_url": "",
        "confirmation_mode": "manual",
        "currency": "EUR",
        "session_ceiling": "1000.00",
        **{
            f"{inline}-{count}_FORMS": "0"
            for inline in ("legal", "users", "signatures")
            for count in ("TOTAL", "INITIAL")
        },
        **fields,
    }


def changelist(model, user, **params):
    """The admin's change list of `model` for `GET ?params`, built as its view builds it."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/", params)
    request.user = user
    return admin.site._registry[model].get_changelist_instance(request)
