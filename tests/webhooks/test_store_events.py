"""Store events from the operator's admin: saving a store announces what partners see change
(`webhooks.store_events`, called by the admin around its save)."""

from html.parser import HTMLParser

import pytest

from jackpot.catalog.models import Store
from jackpot.webhooks.models import OutboxEvent

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.acme.example/jackpot"


class _Form(HTMLParser):
    """The fields a browser would submit from the admin's change form, as it shows them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") == "checkbox" else ""
            self.data.setdefault(name, []).append(a.get("value") or default)
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:  # Django starts a textarea's text with a newline the browser drops
            text = self.data[self._textarea]
            text[-1] += data if text[-1] else data.removeprefix("\n")


@pytest.fixture
def ops(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@x.example", "pw"))
    return client


def save_store(client, store_id: str, **changes) -> None:
    url = f"/admin/catalog/store/{store_id}/change/"
    form = _Form()
    form.feed(client.get(url).content.decode())
    data = {k: v for k, v in form.data.items() if v}
    data.update({k: [v] for k, v in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_operator_edit_is_announced_and_a_save_without_change_is_not(ops, make_partner, catalog):
    make_partner("acme", notification_url=HOOK)

    save_store(ops, "bookly")  # saved as shown: nothing partners see changed
    save_store(ops, "bookly", code_low_stock_threshold="3")  # not part of what partners see
    assert not OutboxEvent.objects.exists()

    save_store(ops, "bookly", description="Books, comics and maps.")
    event = OutboxEvent.objects.get()
    assert (event.event, event.payload["message"]["storeId"]) == ("store/update", "bookly")
    assert event.payload["message"]["data"]["description"] == "Books, comics and maps."


def test_an_operator_taking_a_store_out_tells_partners(ops, make_partner, catalog):
    make_partner("acme", notification_url=HOOK)

    data = _Form()
    data.feed(ops.get("/admin/catalog/store/bookly/change/").content.decode())
    fields = {k: v for k, v in data.data.items() if v and k != "enabled"}  # box unticked
    assert ops.post("/admin/catalog/store/bookly/change/", fields).status_code == 302

    assert not Store.objects.get(pk="bookly").enabled
    assert list(OutboxEvent.objects.values_list("event", flat=True)) == ["store/disabled"]
