"""A store's monogram (catalog.monogram): one rule for the widget (given in the API's store
object) and the voucher PDF."""

import pytest

from jackpot.catalog.monogram import monogram
from jackpot.catalog.representation import store_object

CASES = [
    ("Fil & Trame", "FT"),
    ("Le Fournil Doré", "FD"),
    ("L'Atelier d'Émile", "AÉ"),
    ("Les Petits Explorateurs", "PE"),
    ("Barbe & Lame", "BL"),
    ("Horizon Évasion", "HÉ"),
    ("Voltéo", "V"),
    ("The Body Shop", "BS"),
    ("jardin-des-sources", "JS"),
    ("Łódź “Évasion” — 東京", "ŁÉ"),
    ("Le Le", "LL"),
    ("ß shop", "ßS"),
    ("123", "1"),
    ("", "?"),
]


@pytest.mark.parametrize("name, letters", CASES)
def test_the_monogram_rule(name, letters):
    assert monogram(name) == letters


@pytest.mark.django_db
def test_the_api_gives_each_store_its_monogram(catalog):
    from jackpot.catalog.models import Store

    for store in Store.objects.all():
        assert store_object(store)["monogram"] == monogram(store.name)
