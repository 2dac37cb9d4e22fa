"""The operator admin speaks French to a French operator: no English string of ours is left.

Two checks, each failing on what the other cannot see:

- every label the admin takes from our code (app, model and field names, choices, help texts,
  column, action, fieldset, inline and form labels) is a `gettext_lazy` msgid that the French
  catalogues translate: a new `verbose_name` written as a plain string, or none at all (Django
  then makes one from the field's name), fails here;
- every admin page (index, each app, and each model's list, add and change pages) rendered in
  French shows none of the English msgids our catalogues translate: a string marked for
  translation but shown untranslated (gettext run at import, a catalogue not compiled) fails.
"""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import override, trans_real

from support import translations
from support.admin import one_of_each

OURS = "jackpot."


def _our_admins():
    for model, model_admin in admin.site._registry.items():
        if type(model_admin).__module__.startswith(OURS):
            yield model, model_admin


def _is_ours(model) -> bool:
    return apps.get_app_config(model._meta.app_label).name.startswith(OURS)


def _field_labels(model):
    opts = model._meta
    yield "verbose_name", opts.verbose_name
    yield "verbose_name_plural", opts.verbose_name_plural
    yield "app", apps.get_app_config(opts.app_label).verbose_name
    for field in opts.get_fields():
        if field.auto_created or not field.concrete:
            continue
        yield field.name, field.verbose_name
        if field.help_text:
            yield f"{field.name}.help_text", field.help_text
        for value, label in field.flatchoices or ():
            if value not in ("", None):
                yield f"{field.name}={value}", label


def _form_labels(form_class):
    for name, field in getattr(form_class, "declared_fields", {}).items():
        if field.label is not None:
            yield f"form.{name}", field.label
        if field.help_text:
            yield f"form.{name}.help_text", field.help_text
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            for value, label in field.choices:
                if value not in ("", None) and label != "—":
                    yield f"form.{name}={value}", label


def _admin_labels(model_admin):
    names = [
        *getattr(model_admin, "list_display", ()),
        *(model_admin.readonly_fields or ()),
        *(model_admin.fields or ()),
    ]
    for name in names:
        column = name if callable(name) else getattr(model_admin, str(name), None)
        if callable(column) and hasattr(column, "short_description"):
            yield f"column {name}", column.short_description
    for name in getattr(model_admin, "actions", None) or ():
        action = name if callable(name) else getattr(model_admin, name)
        yield f"action {name}", action.short_description
    for title, options in getattr(model_admin, "fieldsets", None) or ():
        if title is not None:
            yield "fieldset", title
        if options.get("description"):
            yield "fieldset description", options["description"]
    for _url, label in getattr(model_admin, "list_tools", ()):
        yield "tool", label
    for list_filter in getattr(model_admin, "list_filter", ()):
        if isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
            yield "filter", list_filter.title
    yield from _form_labels(model_admin.form)
    for inline in getattr(model_admin, "inlines", ()):
        for attribute in ("verbose_name", "verbose_name_plural"):
            if getattr(inline, attribute, None) is not None:
                yield f"{inline.__name__}.{attribute}", getattr(inline, attribute)
        yield from _admin_labels(inline(model_admin.model, admin.site))
        if _is_ours(inline.model):
            yield from _field_labels(inline.model)


def _admin_cases():
    for model, model_admin in _our_admins():
        labels = list(_admin_labels(model_admin))
        if _is_ours(model):
            labels += list(_field_labels(model))
        yield pytest.param(labels, id=f"{model._meta.label}")


def _untranslated(label) -> bool:
    """True unless `label` is a lazy msgid the French catalogues hold."""
    if not isinstance(label, Promise):
        return True
    args = getattr(label, "_args", ())
    msgid = args[-1] if args else None
    return not isinstance(msgid, str) or msgid not in trans_real.translation("fr")._catalog


@pytest.mark.parametrize("labels", list(_admin_cases()))
def test_every_label_the_admin_takes_from_our_code_is_translated_in_french(labels):
    missing = sorted({(where, str(label)) for where, label in labels if _untranslated(label)})
    assert not missing, missing


# --- the pages, rendered in French --------------------------------------------------------


def _english_msgids() -> dict[str, str]:
    """Our msgids that a French page must not show: every msgid of our catalogues but those
    French writes the same (apiSignature, code…); sentences with placeholders are left out
    (their values change the words)."""
    english = {}
    for _catalogue, msgid, msgstr in translations.all_entries():
        if "%" in msgid or "{" in msgid or not re.search("[A-Za-z]{3}", msgid):
            continue
        if msgstr.casefold() != msgid.casefold():
            english[msgid.casefold()] = msgid
    return english


# Elements whose text is the interface (headings, labels, buttons, menus, filters), not data.
INTERFACE = {"title", "h1", "h2", "h3", "caption", "label", "legend", "summary", "button", "option"}
INTERFACE_CLASSES = {"help", "breadcrumbs", "object-tools", "addlink", "changelink", "jp-tools"}
INTERFACE_IDS = {"nav-sidebar", "changelist-filter", "content-related"}
# Data, whatever is inside: the rows of a list, scripts, and the permission names Django itself
# stores in English when it creates them.
DATA = {"tbody", "script", "style", "textarea", "pre"}
DATA_SELECTS = {"permissions", "user_permissions", "user_permissions_old", "permissions_old"}


class InterfaceText(HTMLParser):
    """The text (and titles, labels, placeholders) of the page's interface elements."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []  # (tag, "ui" | "data" | None)
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent = self.stack[-1][1] if self.stack else None
        classes = set((attrs.get("class") or "").split())
        if parent == "data" or tag in DATA or attrs.get("name") in DATA_SELECTS:
            kind = "data"
        elif parent == "ui" or tag in INTERFACE or tag == "thead":
            kind = "ui"
        elif classes & INTERFACE_CLASSES or attrs.get("id") in INTERFACE_IDS:
            kind = "ui"
        else:
            kind = None
        if tag not in ("br", "img", "input", "meta", "link", "hr", "col"):
            self.stack.append((tag, kind))
        if kind == "ui":
            self.texts += [attrs[k] for k in ("title", "aria-label", "placeholder") if attrs.get(k)]

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1] == "ui" and data.strip():
            self.texts.append(" ".join(data.split()))


def _alternation(keys) -> re.Pattern:
    keys = sorted(keys, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")


class EnglishFinder:
    """Finds our English msgids in a French page's interface: a whole text, a phrase of several
    words inside a text, or a single word inside one of Django's sentences ("Ajouter store")."""

    def __init__(self, english: dict[str, str]):
        self.english = english
        self.phrases = _alternation(k for k in english if " " in k)
        self.words = _alternation(k for k in english if " " not in k)

    def __call__(self, html: str) -> set[str]:
        parser = InterfaceText()
        parser.feed(html)
        found = set()
        for text in parser.texts:
            words = text.casefold().strip(" :*")
            if words in self.english:
                found.add(self.english[words])
            found |= {f"{m!r} in {text!r}" for m in self.phrases.findall(words) if m != words}
            if _embedded(words):
                found |= {f"{m!r} in {text!r}" for m in self.words.findall(words)}
        return found


def _embedded(words: str) -> bool:
    """A French sentence of Django's admin around one of our names ("Ajouter store")."""
    return bool(re.match(r"(ajouter|modifier|supprimer|sélectionnez|afficher|par) ", words))


def _admin_pages(request):
    yield reverse("admin:index")
    for app_label in {model._meta.app_label for model, _ in _our_admins()}:
        yield reverse("admin:app_list", args=[app_label])
    for model, model_admin in _our_admins():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"{name}_add")
        first = model_admin.get_queryset(request).first()
        if first is not None:
            yield reverse(f"{name}_change", args=[first.pk])


@pytest.mark.django_db
def test_every_admin_page_in_french_shows_no_english_msgid_of_ours(
    ops_client, acme, make_voucher, rf, operator
):
    one_of_each(acme, make_voucher)
    request = rf.get("/admin/")
    request.user = operator
    english = _english_msgids()
    assert len(english) > 300  # the catalogues were read
    find = EnglishFinder(english)
    pages = list(_admin_pages(request))
    left = {}
    for url in pages:
        with override("fr"):
            response = ops_client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        assert 'lang="fr"' in response.content.decode()
        found = find(response.content.decode())
        if found:
            left[url] = sorted(found)
    assert not left, left
    # Each model's change page was among them (one_of_each made a row of every model).
    changed = {url.split("/")[3] for url in pages if url.endswith("/change/")}
    assert changed >= {model._meta.model_name for model, _ in _our_admins()}
