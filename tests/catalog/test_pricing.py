"""Pricing rules (SPEC §4): tiers keyed on the converted amount, rounding, offers.

Pure functions, no Django: run with ``pytest -p no:django tests/catalog/test_pricing.py``.
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
    money,
    proposed_quotes,
    proposed_quotes_descending,
    quote_for_listed_price,
    quote_for_value,
)
from jackpot.catalog.pricing import rate as parse_rate

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


# ---------------------------------------------------------------------------------------------
# Worked examples
# ---------------------------------------------------------------------------------------------


class TestWorkedExamples:
    @pytest.mark.parametrize(
        ("value", "price", "rate"),
        [
            ("110", "100.00", "0.10"),
            # 105/1.05 = 100 is not in tier 0; 105/1.08 = 97.22 is in tier 50
            ("105", "97.22", "0.08"),
            # 108/1.08 = 100 leaves tier 50; 108/1.1 = 98.18 rises to tier 100's floor
            ("108", "100.00", "0.10"),
            # in the gap: 53/1.05 = 50.48 is not in tier 0, 53/1.08 = 49.07 is below 50
            ("53", "50.00", "0.08"),
            ("52", "49.52", "0.05"),
            ("54", "50.00", "0.08"),  # exactly 54/1.08
            ("10", "9.52", "0.05"),  # 9.5238 rounded half up
            ("500", "454.55", "0.10"),  # 454.545… rounded half up
        ],
    )
    def test_a_value_costs_the_cheapest_consistent_price(self, value, price, rate):
        assert quote_for_value(SPORTMAX, D(value)) == Quote(
            "majoration", D(price), money(value), D(rate)
        )

    def test_minoration_a_100_euro_voucher_at_10_percent_costs_90(self):
        assert quote_for_value(MINORATION_10, D(100)) == Quote(
            "minoration", D("90.00"), D("100.00"), D("0.10")
        )

    def test_euro_rounding_rounds_the_price_up_to_the_euro(self):
        majoration = PricingRule("majoration", (Tier(D(0), D("0.05")),), rounding="euro")
        assert quote_for_value(majoration, D(100)).price == D("96.00")  # 95.24 → 96
        assert quote_for_value(majoration, D(105)).price == D("100.00")  # exact stays
        minoration = PricingRule("minoration", (Tier(D(0), D("0.10")),), rounding="euro")
        assert quote_for_value(minoration, D(105)).price == D("95.00")  # 94.50 → 95
        assert quote_for_value(minoration, D(100)).price == D("90.00")

    def test_euro_rounding_never_charges_more_than_the_value(self):
        minoration = PricingRule("minoration", (Tier(D(0), D("0.01")),), rounding="euro")
        assert quote_for_value(minoration, D("10.50")) is None  # 10.395 → 11 > 10.50

    def test_cent_rounding_is_half_up(self):
        rule = PricingRule("minoration", (Tier(D(0), D("0.15")),))
        assert quote_for_value(rule, D("0.10")).price == D("0.09")  # 0.085 → 0.09

    def test_the_bonus_is_what_the_store_funds(self):
        assert quote_for_value(SPORTMAX, D(110)).bonus == D("10.00")
        assert quote_for_value(MINORATION_10, D(100)).bonus == D("10.00")


class TestOutOfRange:
    @pytest.mark.parametrize("value", [D(0), D(-5), D("10.001"), D("NaN")])
    def test_a_value_must_be_a_positive_amount_of_two_decimals(self, value):
        assert quote_for_value(SPORTMAX, value) is None

    def test_no_quote_below_the_first_tier(self):
        rule = PricingRule("majoration", (Tier(D(20), D("0.05")),))
        assert quote_for_value(rule, D("19.99")) is None  # would cost 20, more than it is worth
        assert quote_for_value(rule, D(20)) == Quote(
            "majoration", D("20.00"), D("20.00"), D("0.05")
        )

    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            quote_for_value(SPORTMAX, 10.0)


class TestRules:
    def test_tiers_are_sorted_by_start(self):
        rule = PricingRule("majoration", tuple(reversed(SPORTMAX_TIERS)))
        assert rule.tiers == SPORTMAX_TIERS
        assert rule == SPORTMAX

    def test_tiers_may_be_given_as_a_list(self):
        assert PricingRule("majoration", list(SPORTMAX_TIERS)) == SPORTMAX

    @pytest.mark.parametrize(
        "tiers",
        [
            (),
            (Tier(D(0), D("0.05")), Tier(D(0), D("0.08"))),
        ],
    )
    def test_tiers_must_be_non_empty_with_distinct_starts(self, tiers):
        with pytest.raises(ValueError):
            PricingRule("majoration", tiers)

    @pytest.mark.parametrize(
        ("start", "rate"), [(0, "1"), (0, "-0.01"), (0, "1.5"), (-1, "0.05"), ("0.001", "0.05")]
    )
    def test_a_tier_needs_a_rate_in_0_1_and_a_money_start(self, start, rate):
        with pytest.raises(ValueError):
            Tier(D(start), D(rate))

    def test_mode_and_rounding_are_checked(self):
        with pytest.raises(ValueError):
            PricingRule("mixed", SPORTMAX_TIERS)  # a mixed campaign is two rules
        with pytest.raises(ValueError):
            PricingRule("majoration", SPORTMAX_TIERS, rounding="dime")


class TestAcceptedValues:
    def test_a_range_by_step(self):
        accepted = AcceptedValues(minimum=D(10), maximum=D(30), step=D(5))
        assert list(accepted.up_to(D(100))) == [D(10), D(15), D(20), D(25), D(30)]
        assert list(accepted.up_to(D(24))) == [D(10), D(15), D(20)]
        assert accepted.contains(D(15))
        assert not accepted.contains(D(16))
        assert not accepted.contains(D(5))
        assert not accepted.contains(D(35))

    def test_a_discrete_set_wins_over_the_range(self):
        accepted = AcceptedValues(
            minimum=D(1), maximum=D(1000), discrete=(D(50), D(10), D(20), D(10))
        )
        assert list(accepted.up_to(D(1000))) == [D(10), D(20), D(50)]
        assert accepted.contains(D(20))
        assert not accepted.contains(D(30))

    def test_without_bounds_every_positive_multiple_of_the_step(self):
        accepted = AcceptedValues(step=D("0.50"))
        assert list(accepted.up_to(D(2))) == [D("0.50"), D("1.00"), D("1.50"), D("2.00")]
        assert not accepted.contains(D(0))

    def test_values_are_two_place_money(self):
        accepted = AcceptedValues(minimum=10, maximum="12", step=1)
        assert all(two_places(v) for v in accepted.up_to(D(100)))
        assert not accepted.contains(D("10.001"))
        assert not accepted.contains(D("NaN"))

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"step": D(0)},
            {"minimum": D(0)},
            {"minimum": D(10), "maximum": D(5)},
            {"discrete": (D(0),)},
            {"discrete": (D("1.001"),)},
        ],
    )
    def test_invalid_ranges_are_refused(self, kwargs):
        with pytest.raises(ValueError):
            AcceptedValues(**kwargs)


class TestProposedQuotes:
    def test_every_accepted_value_the_budget_can_buy(self):
        quotes = proposed_quotes(SPORTMAX, SPORTMAX_VALUES, D(100))
        assert [q.value for q in quotes] == [D(v) for v in range(10, 111)]
        assert quotes[-1] == Quote("majoration", D("100.00"), D("110.00"), D("0.10"))
        assert highest(SPORTMAX, SPORTMAX_VALUES, D(100)) == quotes[-1]

    def test_a_session_of_1000_sees_the_whole_catalogue_value_range(self):
        quotes = proposed_quotes(SPORTMAX, SPORTMAX_VALUES, D(1000))
        assert len(quotes) == 491
        assert highest(SPORTMAX, SPORTMAX_VALUES, D(1000)).value == D("500.00")

    def test_discrete_values(self):
        accepted = AcceptedValues(discrete=(D(10), D(20), D(50), D(100), D(150)))
        assert [q.value for q in proposed_quotes(MINORATION_10, accepted, D(90))] == [
            D(10),
            D(20),
            D(50),
            D(100),
        ]
        assert highest(MINORATION_10, accepted, D("89.99")).value == D(50)

    def test_nothing_when_the_budget_buys_nothing(self):
        assert proposed_quotes(SPORTMAX, SPORTMAX_VALUES, D("9.51")) == []
        assert highest(SPORTMAX, SPORTMAX_VALUES, D("9.51")) is None
        assert highest(SPORTMAX, SPORTMAX_VALUES, D(0)) is None
        assert highest(SPORTMAX, SPORTMAX_VALUES, D(-1)) is None
        assert highest(SPORTMAX, SPORTMAX_VALUES, D("9.52")).value == D(10)

    def test_an_unbounded_range_still_stops_at_the_budget(self):
        accepted = AcceptedValues(minimum=D(1), step=D(1))
        assert highest(MINORATION_10, accepted, D(90)).value == D(100)
        assert highest(SPORTMAX, accepted, D(1000)).value == D(1100)

    def test_a_value_priced_at_zero_does_not_hide_larger_values(self):
        # At −80 % the smallest values cost 0.00 in the first tier, which is no price: 0.02 falls
        # to the next tier at 0.02, yet 0.03 costs 0.01 again (0.006 rounded). The enumeration
        # must not stop at 0.02 just because it is above a 0.01 budget.
        rule = PricingRule("minoration", (Tier(D(0), D("0.80")), Tier(D("0.02"), D(0))))
        accepted = AcceptedValues(minimum=CENT, maximum=D("0.10"), step=CENT)
        assert quote_for_value(rule, D("0.01")) is None
        assert quote_for_value(rule, D("0.02")).price == D("0.02")
        assert quote_for_value(rule, D("0.03")).price == D("0.01")
        values = [q.value for q in proposed_quotes(rule, accepted, CENT)]
        assert values == [D("0.03"), D("0.04"), D("0.05"), D("0.06"), D("0.07")]


class TestMoney:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            (100, "100.00"),
            ("19.99", "19.99"),
            (D(5), "5.00"),
            ("19.990", "19.99"),
            (0, "0.00"),
            ("-0", "0.00"),
            (19.99, "19.99"),
        ],
    )
    def test_accepts_amounts_of_at_most_two_decimals(self, amount, expected):
        result = money(amount)
        assert result == D(expected)
        assert two_places(result)

    @pytest.mark.parametrize(
        "amount",
        [
            19.999,
            0.1 + 0.2,
            -1,
            "-0.01",
            D("-5"),
            True,
            False,
            D("NaN"),
            "nan",
            float("nan"),
            float("inf"),
            D("Infinity"),
            "19.999",
            "abc",
            "",
            None,
            [1],
            "1e100",
        ],
    )
    def test_refuses_anything_else(self, amount):
        with pytest.raises(ValueError):
            money(amount)


class TestRate:
    @pytest.mark.parametrize(
        ("value", "expected"), [("0.08", "0.08"), (0, "0"), (D("0.075"), "0.075"), (0.05, "0.05")]
    )
    def test_accepts_rates_from_0_up_to_1_excluded(self, value, expected):
        assert parse_rate(value) == D(expected)

    @pytest.mark.parametrize("value", ["1", 1, "-0.01", True, "NaN", "abc", None])
    def test_refuses_anything_else(self, value):
        with pytest.raises(ValueError):
            parse_rate(value)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


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
    rule = PricingRule("minoration", (Tier(D(0), D("0.10")),))
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


# ---------------------------------------------------------------------------------------------
# The optimised computation equals the straightforward one
#
# pricing.py skips tiers that cannot hold a value's price without dividing, bounds the values
# worth trying per tier, and finds the best quote by walking down from that bound. These
# properties compare it with SPEC §4 read literally: every tier tried from the lowest, every
# accepted value tried from the smallest.
# ---------------------------------------------------------------------------------------------

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
