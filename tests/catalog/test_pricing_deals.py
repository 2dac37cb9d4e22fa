"""What a user is offered (`pricing.best_deals`): no quote that another gives as much value for
no more money, so that no list, slider or preview lets a user pay one price for less than it
buys. Properties over any rule, accepted values and budget; pure functions, no Django."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jackpot.catalog.pricing import (
    PricingRule,
    Quote,
    best_deals,
    proposed_quotes,
    quote_for_listed_price,
)
from support.pricing import (
    SPORTMAX,
    SPORTMAX_VALUES,
    D,
    accepted_values,
    budgets,
    cents,
    rules,
    tier_sets,
)


def beats(a: Quote, b: Quote) -> bool:
    """Whether `a` gives at least `b`'s value for at most `b`'s price."""
    return a.value >= b.value and a.price <= b.price


@given(rules, accepted_values, budgets)
def test_one_offer_lists_only_the_largest_value_at_each_price(rule, accepted, budget):
    quotes = proposed_quotes(rule, accepted, budget)
    largest = {}
    for q in quotes:
        largest[q.price] = max(largest.get(q.price, q.value), q.value)

    offered = best_deals(quotes)

    assert [(q.price, q.value) for q in offered] == sorted(largest.items())
    # ...which is also the voucher a reservation by that price buys
    for q in offered:
        assert quote_for_listed_price(rule, accepted, q.price) == q


quotes_of_any_offers = st.lists(
    st.builds(
        lambda mode, price, bonus, rate: Quote(mode, price, price + bonus, rate),
        st.sampled_from(["majoration", "minoration"]),
        cents(1, 5_000),
        cents(0, 800),
        st.sampled_from([D("0.05"), D("0.10")]),
    ),
    max_size=30,
)


@given(quotes_of_any_offers)
def test_no_quote_offered_is_beaten_and_every_quote_left_out_is(quotes):
    offered = best_deals(quotes)

    assert all(any(q is o for o in quotes) for q in offered)  # the very quotes given
    assert [q.value for q in offered] == sorted({q.value for q in offered})  # one per value
    assert [q.price for q in offered] == sorted({q.price for q in offered})  # more costs more
    for q in quotes:
        if any(q is o for o in offered):
            assert not any(beats(o, q) and (o.value, o.price) != (q.value, q.price) for o in quotes)
        else:
            assert any(beats(o, q) for o in offered)


@given(quotes_of_any_offers)
def test_choosing_again_changes_nothing_and_the_order_given_only_breaks_ties(quotes):
    offered = best_deals(quotes)

    assert best_deals(offered) == offered
    # the order given only decides between equal deals
    pairs = [(q.value, q.price) for q in offered]
    assert [(q.value, q.price) for q in best_deals(list(reversed(quotes)))] == pairs


@given(tier_sets, accepted_values, budgets)
def test_of_a_mixed_campaign_each_value_comes_from_the_cheaper_mode(tiers, accepted, budget):
    by_mode = {
        mode: proposed_quotes(PricingRule(mode, tiers), accepted, budget)
        for mode in ("majoration", "minoration")
    }
    offered = best_deals(by_mode["majoration"] + by_mode["minoration"])

    assert len({q.value for q in offered}) == len(offered)
    for q in offered:
        for others in by_mode.values():
            same = [o for o in others if o.value >= q.value]
            assert not same or min(o.price for o in same) >= q.price


def test_of_two_equal_deals_the_first_given_is_kept():
    first = Quote("minoration", D(90), D(100), D("0.10"))
    second = Quote("majoration", D(90), D(100), D("0.10"))

    assert best_deals([first, second]) == [first]
    assert best_deals([second, first]) == [second]


def test_best_deals_takes_the_quote_out_of_what_holds_it():
    offers = [("a", Quote("majoration", D(100), D(108), D("0.10")))]
    offers.append(("b", Quote("majoration", D(100), D(110), D("0.10"))))

    assert best_deals(offers, lambda item: item[1]) == [offers[1]]


def test_foulee_sport_offers_110_euros_for_100_not_108_nor_109():
    # The demo's Foulée Sport is the SPEC's campaign: +8 % up to 99.99 €, +10 % from 100 €.
    listed = proposed_quotes(SPORTMAX, SPORTMAX_VALUES, Decimal(100))
    at_100 = [q.value for q in listed if q.price == 100]
    assert at_100 == [D(108), D(109), D(110)]  # what the tiers give: three values, one price

    offered = best_deals(listed)

    assert [(q.value, q.price) for q in offered if q.value >= 106] == [
        (D(106), D("98.15")),
        (D(107), D("99.07")),
        (D(110), D(100)),
    ]
    # the gap below the +8 % tier's start too: 53 € and 54 € both cost 50 €
    assert D(53) not in {q.value for q in offered} and D(54) in {q.value for q in offered}
