"""The optimised pricing computation equals the straightforward one.

pricing.py skips tiers that cannot hold a value's price without dividing, bounds the values
worth trying per tier, and finds the best quote by walking down from that bound. These
properties compare it with SPEC §4 read literally: every tier tried from the lowest, every
accepted value tried from the smallest. Pure functions, no Django.
"""

from decimal import (
    ROUND_CEILING,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jackpot.catalog.pricing import (
    CENT,
    AcceptedValues,
    PricingRule,
    Quote,
    Tier,
    proposed_quotes,
    proposed_quotes_descending,
    quote_for_value,
)
from support.pricing import (
    SPORTMAX,
    SPORTMAX_VALUES,
    D,
    accepted_values,
    budgets,
    cents,
    highest,
    rates,
    starts,
    tier_sets,
    two_places,
    values,
)

STRAIGHT = Context(
    prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


def straightforward_quote_for_value(rule: PricingRule, value: Decimal) -> Quote | None:
    """For each tier from the lowest: the candidate V / (1 + r) or V × (1 − r), rounded by the
    rule, raised to the tier's start; the first that stays inside its tier, is positive and is
    no more than the value."""
    with localcontext(STRAIGHT):
        for i, tier in enumerate(rule.tiers):
            if tier.start > value:
                break
            if rule.mode == "majoration":
                exact = value / (1 + tier.rate)
            else:
                exact = value * (1 - tier.rate)
            if rule.rounding == "euro":
                price = exact.quantize(D(1), rounding=ROUND_CEILING).quantize(CENT)
            else:
                price = exact.quantize(CENT, rounding=ROUND_HALF_UP)
            if price < tier.start:
                price = tier.start
            if i + 1 < len(rule.tiers) and price >= rule.tiers[i + 1].start:
                continue
            if price <= 0 or price > value:
                continue
            return Quote(rule.mode, price, value, tier.rate)
    return None


def straightforward_proposed(rule, accepted, budget) -> list[Quote]:
    """Every accepted value, from the smallest, quoted; those the budget buys."""
    quotes = (straightforward_quote_for_value(rule, v) for v in accepted.up_to(D(10) ** 9))
    return [q for q in quotes if q is not None and q.price <= budget]


# Rates anywhere in [0, 1) with up to 12 decimals (the catalogue allows 4), so that the divisions
# are inexact at every digit and the skip thresholds fall between cents.
wide_rates = st.one_of(
    rates,
    st.integers(0, 999_999_999_999).map(lambda n: Decimal(n).scaleb(-12)),
    st.sampled_from([D("0.5"), D("0.8"), D("0.9"), D("0.99"), D("0.9999")]),
)


wide_tier_sets = st.lists(
    st.tuples(starts, wide_rates), min_size=1, max_size=5, unique_by=lambda t: t[0]
).map(lambda pairs: tuple(Tier(s, r) for s, r in pairs))


wide_rules = st.builds(
    PricingRule,
    mode=st.sampled_from(["majoration", "minoration"]),
    tiers=wide_tier_sets | tier_sets,
    rounding=st.sampled_from(["cent", "euro"]),
)


@st.composite
def rule_and_edge_value(draw):
    """A rule and a value within a few cents of where a tier's price reaches the next start
    (V = next start × (1 + r), or / (1 − r)): where skipping a tier is decided."""
    rule = draw(wide_rules)
    if len(rule.tiers) == 1:
        return rule, draw(values)
    i = draw(st.integers(0, len(rule.tiers) - 2))
    tier, following = rule.tiers[i], rule.tiers[i + 1]
    with localcontext(STRAIGHT):
        if rule.mode == "majoration":
            edge = following.start * (1 + tier.rate)
        else:
            edge = following.start / (1 - tier.rate)
        edge = edge.quantize(CENT) + draw(st.integers(-3, 3)) * CENT
    return rule, max(edge, CENT)


@settings(max_examples=500)
@given(rule_and_edge_value())
def test_quote_for_value_equals_the_straightforward_one_at_tier_edges(rule_value):
    rule, value = rule_value
    assert quote_for_value(rule, value) == straightforward_quote_for_value(rule, value)


@settings(max_examples=300)
@given(wide_rules, values)
def test_quote_for_value_equals_the_straightforward_one(rule, value):
    assert quote_for_value(rule, value) == straightforward_quote_for_value(rule, value)


@st.composite
def rule_accepted_budget(draw):
    """A rule, accepted values, and a budget: any, or within a cent of an accepted value's
    price (where the bound and the walk down decide)."""
    rule, accepted = draw(wide_rules), draw(accepted_values)
    budget = draw(budgets)
    if draw(st.booleans()):
        candidates = list(accepted.up_to(D(10) ** 9))
        quote = straightforward_quote_for_value(rule, draw(st.sampled_from(candidates)))
        if quote is not None:
            budget = max(CENT, quote.price + draw(st.sampled_from([-CENT, 0, CENT])))
    return rule, accepted, budget


@settings(max_examples=300)
@given(rule_accepted_budget())
def test_proposed_and_best_quotes_equal_the_straightforward_enumeration(case):
    rule, accepted, budget = case
    expected = straightforward_proposed(rule, accepted, budget)

    assert proposed_quotes(rule, accepted, budget) == expected
    assert list(proposed_quotes_descending(rule, accepted, budget)) == expected[::-1]
    assert highest(rule, accepted, budget) == (expected[-1] if expected else None)


@given(accepted_values, cents(0, 2_000_000))
def test_down_from_is_up_to_reversed(accepted, limit):
    assert list(accepted.down_from(limit)) == list(accepted.up_to(limit))[::-1]
    assert all(two_places(v) for v in accepted.down_from(limit))


def test_the_descending_walk_refuses_a_bad_budget_at_once():
    with pytest.raises(TypeError):
        proposed_quotes_descending(SPORTMAX, SPORTMAX_VALUES, 10.0)
    assert list(proposed_quotes_descending(SPORTMAX, SPORTMAX_VALUES, D(0))) == []


def test_a_higher_tier_with_a_lower_rate_still_gives_the_best_quote():
    # +10 % up to 99.99 €, then nothing: 1000 € buys a 1000 € voucher, not 1100 €, and 99.99 €
    # buys 109.99 € (109.99 / 1.1 = 99.9909). The walk down starts from each tier's own bound
    # (here 1000.02), not from the best rate applied to the whole budget (1100.02).
    rule = PricingRule("majoration", (Tier(D(0), D("0.10")), Tier(D(100), D(0))))
    accepted = AcceptedValues(minimum=D(1), maximum=D(5000), step=CENT)

    assert highest(rule, accepted, D(1000)) == Quote("majoration", D(1000), D(1000), D(0))
    assert highest(rule, accepted, D("99.99")) == Quote(
        "majoration", D("99.99"), D("109.99"), D("0.10")
    )
