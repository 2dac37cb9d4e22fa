"""The one money rule people read: "1 234,50 €" in French, "€1,234.50" in English."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jackpot.core.formatting import money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    "value, currency, language, written",
    [
        ("100", "EUR", "fr", f"100,00{NBSP}€"),
        ("100", "EUR", "en", "€100.00"),
        ("1234.5", "EUR", "fr", f"1{NBSP}234,50{NBSP}€"),
        ("1234.5", "EUR", "en", "€1,234.50"),
        ("-12.3", "EUR", "en", "-€12.30"),
        ("-12.3", "EUR", "fr", f"-12,30{NBSP}€"),
        ("9.99", "GBP", "en", "£9.99"),
        ("12", "CHF", "en", f"CHF{NBSP}12.00"),
        ("12", "CHF", "fr", f"12,00{NBSP}CHF"),
        (None, "EUR", "fr", "—"),
    ],
)
def test_each_language_writes_money_its_own_way(value, currency, language, written):
    assert money(value, currency, language=language) == written
    with translation.override(language):
        assert money(value, currency) == written  # the active language when none is named


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.sampled_from(["fr", "en"]),
)
def test_the_written_amount_reads_back_as_the_amount(value, language):
    written = money(value, "EUR", language=language)
    decimal_mark = "." if language == "fr" else ""  # fr: 1 234,50; en: 1,234.50
    digits = written.replace("€", "").replace(NBSP, "").replace(",", decimal_mark)
    assert Decimal(digits) == value
