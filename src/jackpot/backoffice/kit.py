"""Shared pieces of the operator admin (`/admin/`): read-only screens, money columns, and small
helpers for the admin views that call services (statements, refunds, re-sends, imports).

The backoffice's module for each domain (`partners.py`, `vouchers.py`, …) builds on these; like
the portal, they hold no business rule: they call the services and journal who did it.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jackpot.core.formatting import money
from jackpot.core.problems import Problem


def operator(request) -> str:
    """How the journal and the ledger name a change made in the admin."""
    return f"operator:{request.user.get_username()}"


def log(request, obj, message: str) -> None:
    """Record an admin action in Django's audit log (shown under "Audit log")."""
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def problem_text(problem: Problem) -> str:
    return f"{problem.title}: {problem.detail}" if problem.detail else problem.title


def money_column(field: str, description, currency_field: str = "currency"):
    """A right-aligned, formatted money column for list_display."""

    @admin.display(description=description, ordering=field)
    def column(_model_admin, obj):
        value = getattr(obj, field)
        currency = getattr(obj, currency_field, "EUR") if currency_field else "EUR"
        return format_html('<span class="jp-money">{}</span>', money(value, currency or "EUR"))

    column.__name__ = f"{field}_money"
    return column


# Django 6 changes URLField's default scheme; say which one now (and silence its warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class _ReadOnly:
    """Nothing added, changed or deleted by hand: the services write these rows."""

    formfield_overrides = URL_FIELDS

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_ReadOnly, admin.ModelAdmin):
    """Journals and money: shown, searched and filtered, never edited nor deleted by hand."""


class ReadOnlyInline(_ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class ListTools:
    """Buttons above a changelist, each a tool page: `list_tools` holds (URL name, label) pairs."""

    change_list_template = "admin/jackpot/change_list_tools.html"
    list_tools: tuple = ()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["list_tools"] = [(reverse(name), label) for name, label in self.list_tools]
        return super().changelist_view(request, extra_context)


def page(request, model_admin, template: str, title: str, **context) -> TemplateResponse:
    """A page of `model_admin`'s own, in the admin's frame (its menu, its breadcrumbs)."""
    frame = model_admin.admin_site.each_context(request)
    context = {**frame, "title": title, "opts": model_admin.model._meta, **context}
    return TemplateResponse(request, template, context)


def form_page(request, model_admin, title: str, form, *, obj=None, intro: str = "", submit=None):
    """An admin-styled page holding one form (the intermediate page of a tool or an action)."""
    return page(
        request,
        model_admin,
        "admin/jackpot/form_page.html",
        title,
        original=obj,
        form=form,
        intro=intro,
        submit_label=submit or _("Apply"),
        has_view_permission=model_admin.has_view_permission(request, obj),
    )


def confirmation(request, form_class):
    """`(form, confirmed)` for a form page that confirms a tool or an action.

    The form is bound to form_page's own POST only (it sends `_confirm`): the changelist's POST
    that chose an action is not yet a confirmation.
    """
    form = form_class(request.POST if "_confirm" in request.POST else None)
    return form, form.is_bound and form.is_valid()


def shown_once(request, model_admin, title: str, secrets: dict, *, obj=None, note: str = ""):
    """A page with freshly issued secrets; answered to the POST, never cached."""
    template = "admin/jackpot/shown_once.html"
    response = page(request, model_admin, template, title, original=obj, secrets=secrets, note=note)
    response["Cache-Control"] = "no-store, private"
    return response


def report_outcomes(request, done: int, refused: list[str], done_message: str) -> None:
    if done:
        messages.success(request, done_message % {"n": done})
    for text in refused:
        messages.error(request, text)
