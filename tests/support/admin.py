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
