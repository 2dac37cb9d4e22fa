"""Pricing rules for the pricing tests: the SPEC's example campaign, the best quote a budget buys,
and hypothesis strategies for rules, values, budgets and accepted values.

Pure functions, no Django, as jackpot.catalog.pricing itself.
"""

from decimal import Decimal

from hypothesis import strategies as st

from jackpot.catalog.pricing import (
    AcceptedValues,
    PricingRule,
    Quote,
    Tier,
    proposed_quotes_descending,
)

D = Decimal

# The SPEC's example campaign: 0–49.99 € +5 %, 50–99.99 € +8 %, ≥ 100 € +10 %.
SPORTMAX_TIERS = (Tier(D(0), D("0.05")), Tier(D(50), D("0.08")), Tier(D(100), D("0.10")))
SPORTMAX = PricingRule("majoration", SPORTMAX_TIERS)
SPORTMAX_VALUES = AcceptedValues(minimum=D(10), maximum=D(500), step=D(1))
MINORATION_10 = PricingRule("minoration", (Tier(D(0), D("0.10")),))


def highest(rule: PricingRule, accepted: AcceptedValues, budget: Decimal) -> Quote | None:
    """The best quote a budget buys, found as the catalogue finds it: first of the walk down."""
    return next(proposed_quotes_descending(rule, accepted, budget), None)


def two_places(amount: Decimal) -> bool:
    return isinstance(amount, Decimal) and amount.as_tuple().exponent == -2


def cents(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    """2-place amounts from lo to hi cents."""
    return st.integers(lo, hi).map(lambda c: Decimal(c).scaleb(-2))


rates = st.integers(0, 4999).map(lambda n: Decimal(n).scaleb(-4))  # [0, 0.5), ≤ 4 places
starts = st.one_of(st.just(Decimal("0.00")), cents(0, 30_000))
tier_sets = st.lists(
    st.tuples(starts, rates), min_size=1, max_size=4, unique_by=lambda t: t[0]
).map(lambda pairs: tuple(Tier(s, r) for s, r in pairs))


def rules_rounding(*roundings: str) -> st.SearchStrategy[PricingRule]:
    return st.builds(
        PricingRule,
        mode=st.sampled_from(["majoration", "minoration"]),
        tiers=tier_sets,
        rounding=st.sampled_from(roundings),
    )


rules = rules_rounding("cent", "euro")
values = cents(1, 100_000)
budgets = cents(1, 500_000)
ranges = st.builds(
    lambda minimum, step, count: AcceptedValues(
        minimum=minimum, maximum=minimum + count * step, step=step
    ),
    minimum=cents(1, 20_000),
    step=st.sampled_from([D("0.01"), D("0.05"), D("0.50"), D(1), D(5), D(10), D(25)])
    | cents(1, 5_000),
    count=st.integers(0, 300),
)
discrete_sets = st.lists(cents(1, 100_000), min_size=1, max_size=12).map(
    lambda vs: AcceptedValues(discrete=tuple(vs))
)
accepted_values = ranges | discrete_sets
