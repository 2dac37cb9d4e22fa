"""The demo catalogue speaks French, as the widget does by default (`locale` is `fr` unless the
partner says otherwise): a store's words are shown as the catalogue writes them."""

import json
import re
from pathlib import Path

import jackpot.catalog

DEMO = Path(jackpot.catalog.__file__).parent / "demo_catalog.json"
ENGLISH = re.compile(r"\b(the|and|with|valid|for|from|all|any|only|per|online|store)\b", re.I)


def test_every_store_text_of_the_demo_catalogue_is_french():
    stores = json.loads(DEMO.read_text())["stores"]
    english = {
        (store["id"], field): store[field]
        for store in stores
        for field in ("description", "mentions")
        if ENGLISH.search(store.get(field, ""))
    }
    assert not english, english
    assert all(store["description"] and store["mentions"] for store in stores)
