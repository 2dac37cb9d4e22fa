"""Pricing rules (SPEC §4) as properties over any rule, value and budget: consistent quotes,
prices rising with the value, the proposed quotes being what the budget buys.

Pure functions, no Django.
"""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jackpot.catalog.pricing import (
    AcceptedValues,
    PricingRule,
    Quote,
    money,
    proposed_quotes,
    quote_for_listed_price,
    quote_for_value,
)
from support.pricing import (
    MINORATION_10,
    D,
    accepted_values,
    budgets,
    highest,
    rules,
    rules_rounding,
    two_places,
    values,
)


def all_amounts_two_places(quote: Quote) -> bool:
    return two_places(quote.price) and two_places(quote.value) and two_places(quote.bonus)


def rates_of(rule: PricingRule) -> set[Decimal]:
    return {t.rate for t in rule.tiers}


@given(rules, values)
def test_a_quote_for_a_value_is_consistent(rule, value):
    quote = quote_for_value(rule, value)
    if quote is None:
        return
    assert quote.value == value
    assert 0 < quote.price <= quote.value  # in both modes
    assert all_amounts_two_places(quote)
    assert quote.rate in rates_of(rule)
    # the price lies in the tier whose rate was applied: the last one started at that price
    assert [t for t in rule.tiers if t.start <= quote.price][-1].rate == quote.rate


@given(rules, values, values)
def test_price_is_non_decreasing_in_value(rule, a, b):
    low, high = sorted((a, b))
    q_low, q_high = quote_for_value(rule, low), quote_for_value(rule, high)
    if q_low is not None and q_high is not None:
        assert q_low.price <= q_high.price


@given(rules_rounding("cent"), values)
def test_with_cent_rounding_every_value_from_the_first_tier_has_a_quote(rule, value):
    # Cent rounding never charges more than the value, so only values below the first tier's
    # start go unquoted.
    quote = quote_for_value(rule, value)
    assert (quote is None) == (value < rule.tiers[0].start)


@given(rules, accepted_values, budgets)
def test_proposed_quotes_are_the_accepted_values_the_budget_buys(rule, accepted, budget):
    quotes = proposed_quotes(rule, accepted, budget)
    for quote in quotes:
        assert quote.price <= budget
        assert accepted.contains(quote.value)
        assert all_amounts_two_places(quote)
        assert quote.rate in rates_of(rule)
        assert quote.mode == rule.mode
    assert [q.value for q in quotes] == sorted({q.value for q in quotes})  # ascending, no repeats
    assert [q.price for q in quotes] == sorted(q.price for q in quotes)  # price follows value
    # the early stop loses nothing: compare with trying every accepted value
    every = (quote_for_value(rule, v) for v in accepted.up_to(D(10) ** 9))
    assert quotes == [q for q in every if q is not None and q.price <= budget]


@given(rules, accepted_values, budgets)
def test_every_listed_price_buys_the_largest_voucher_listed_at_it(rule, accepted, budget):
    listed = proposed_quotes(rule, accepted, budget)
    for quote in listed:
        largest = max(q.value for q in listed if q.price == quote.price)
        bought = quote_for_listed_price(rule, accepted, quote.price)
        assert bought is not None and (bought.price, bought.value) == (quote.price, largest)


def test_a_price_listed_for_no_voucher_buys_nothing():
    accepted = AcceptedValues(discrete=(D(10), D(20), D(50)))
    rule = MINORATION_10
    assert quote_for_listed_price(rule, accepted, D(18)).value == D(20)
    assert quote_for_listed_price(rule, accepted, D(19)) is None
    assert quote_for_listed_price(rule, accepted, D(0)) is None


@given(rules, accepted_values, budgets)
def test_the_first_of_the_descending_walk_is_the_highest_proposed_value(rule, accepted, budget):
    quotes = proposed_quotes(rule, accepted, budget)
    best = highest(rule, accepted, budget)
    if not quotes:
        assert best is None
    else:
        assert best == max(quotes, key=lambda q: q.value)


@given(st.integers(0, 10**12))
def test_money_round_trips_any_cent_amount(c):
    amount = Decimal(c).scaleb(-2)
    assert money(amount) == amount
    assert money(str(amount)) == amount
    assert two_places(money(amount))
