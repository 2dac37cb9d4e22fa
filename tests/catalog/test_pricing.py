"""Pricing rules (SPEC §4): tiers keyed on the converted amount, rounding, offers, worked through
the SPEC's examples and at their edges.

Pure functions, no Django.
"""

import pytest

from jackpot.catalog.pricing import (
    CENT,
    AcceptedValues,
    PricingRule,
    Quote,
    Tier,
    money,
    proposed_quotes,
    quote_for_value,
)
from jackpot.catalog.pricing import rate as parse_rate
from support.pricing import (
    MINORATION_10,
    SPORTMAX,
    SPORTMAX_TIERS,
    SPORTMAX_VALUES,
    D,
    highest,
    two_places,
)


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
