"""The operator admin's tests: the operator's password, the screenshots' folder."""

import functools
from html.parser import HTMLParser

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


def one_of_each(partner, make_voucher) -> None:
    """At least one row of every model the admin shows, made by the services where they exist
    (a voucher confirmed, made READY with its codes and PDF, billed; a merchant key; a portal
    user; a wallet top-up) and written directly for what only the worker or a request writes."""
    from datetime import timedelta

    from django.contrib.admin.models import CHANGE, LogEntry
    from django.utils import timezone

    from jackpot.api.models import IdempotencyRecord
    from jackpot.catalog.models import Store
    from jackpot.ledger import services as ledger
    from jackpot.partners.models import LegalInformation, PartnerAccessToken
    from jackpot.partners.services import create_partner_user
    from jackpot.vouchers import lifecycle, payments
    from jackpot.vouchers.codes import merchant
    from jackpot.vouchers.delivery import process_due_jobs
    from jackpot.webhooks.models import Attempt, Delivery, Endpoint
    from jackpot.worker.models import Heartbeat

    now = timezone.now()
    make_voucher(partner, 30)
    confirmed = make_voucher(partner, 54)
    lifecycle.transition(confirmed.pk, "confirm", "operator:ops")
    process_due_jobs()
    payments.issue_statement(partner, now - timedelta(days=1), now + timedelta(days=1), "ops")
    ledger.credit_wallet(partner, "100.00", reference="transfer 1", created_by="ops")
    merchant.issue_store_key(Store.objects.get(pk="sportmax"))
    profile, _password = create_partner_user(partner, "alice", password="alice-password-123")
    LogEntry.objects.log_actions(
        user_id=profile.user.pk,
        queryset=[partner],
        action_flag=CHANGE,
        change_message="enabled",
        single_object=True,
    )
    LegalInformation.objects.create(partner=partner, company_name="Acme SAS")
    PartnerAccessToken.objects.create(partner=partner, digest="d" * 64, expires_at=now)
    delivery = Delivery.objects.first()
    Attempt.objects.create(delivery=delivery, number=1, started_at=now, status_code=503)
    Endpoint.objects.create(partner=partner, disabled_at=now, disabled_reason="410 Gone")
    IdempotencyRecord.objects.create(scope="s" * 64, key="k-1", fingerprint="f" * 64)
    Heartbeat.objects.create(worker="host:1")
    from jackpot.vouchers import personal_data

    make_voucher(partner, 30, userId="user-forgotten")
    personal_data.erase_user(partner, "user-forgotten", "operator:ops")  # an erasure, audited


class _FormReader(HTMLParser):
    """The named fields of a page's `form#<model>_form`, as a browser would post them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(a["name"], []).append(a.get("value", "on"))
            else:
                self.data[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def form_data(response, form_id: str) -> dict:
    """What submitting the admin page's form unchanged posts (fields left out stay out)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data
