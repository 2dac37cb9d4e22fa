"""Which offers a session gets (SPEC §4): live, targeted campaigns with budget left, priced for
its amount, never above it.

The `catalog` fixture (conftest's SMALL_CATALOG) holds three stores:
* sportmax: majoration tiers +5/+8/+10 %, postcodes 75 and 92, age 18 and over, budget 1000;
* bookly: minoration −10 %, discrete values 10/20/50/100, no targeting;
* mixte: mixed ±6 %, values 5..200 by 5, no targeting.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from jackpot.catalog import offers as catalog_offers
from jackpot.catalog import pricing
from jackpot.catalog.models import Campaign, Store
from jackpot.catalog.offers import Audience, Offer, best_by_store, find_offer, offers_for
from jackpot.core.problems import Problem

D = Decimal
PARIS_ADULT = Audience("75011", 30, "M")


def offer_ids(audience: Audience) -> set[str]:
    return {offer.id for offer in offers_for(audience)}


def store_ids(audience: Audience) -> set[str]:
    return {offer.store.id for offer in offers_for(audience)}


# ---------------------------------------------------------------------------------------------
# Targeting
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "audience",
    [
        PARIS_ADULT,
        Audience("92100", 18, "F"),  # the other department, on the 18th birthday
        Audience("75", 99, ""),  # a department prefix is a postcode too; gender not targeted
    ],
)
def test_sportmax_is_offered_to_adults_of_paris_and_hauts_de_seine(catalog, audience):
    assert "sportmax-launch" in offer_ids(audience)


@pytest.mark.parametrize(
    "audience",
    [
        Audience("69001", 30, "M"),  # Lyon
        Audience("", 30, "M"),  # no postcode in the token: a targeted criterion excludes
        Audience("75011", 17, "M"),  # under age
        Audience("75011", None, "M"),  # no age in the token
        Audience("07500", 30, "M"),  # "75" must be a prefix, not a substring
    ],
    ids=["other department", "no postcode", "17 years old", "no age", "75 not a prefix"],
)
def test_sportmax_is_not_offered_outside_its_targeting(catalog, audience):
    assert "sportmax-launch" not in offer_ids(audience)
    assert "sportmax" not in store_ids(audience)


@pytest.mark.parametrize(
    "audience",
    [PARIS_ADULT, Audience("69001", 30, "M"), Audience(), Audience("2A004", 5, "F")],
)
def test_campaigns_without_targeting_are_offered_to_everyone(catalog, audience):
    assert offer_ids(audience) >= {"bookly-min", "mixte-all.majoration", "mixte-all.minoration"}


def test_a_gender_target_excludes_the_other_gender_and_sessions_without_one(catalog):
    Campaign.objects.filter(pk="bookly-min").update(target_gender="F")

    assert "bookly-min" in offer_ids(Audience("69001", 30, "F"))
    assert "bookly-min" not in offer_ids(Audience("69001", 30, "M"))
    assert "bookly-min" not in offer_ids(Audience("69001", 30, ""))


def test_an_age_range_includes_both_bounds(catalog):
    Campaign.objects.filter(pk="bookly-min").update(target_age_min=25, target_age_max=40)

    assert {a: "bookly-min" in offer_ids(Audience("", a)) for a in (24, 25, 40, 41)} == {
        24: False,
        25: True,
        40: True,
        41: False,
    }


# ---------------------------------------------------------------------------------------------
# Dates and stores
# ---------------------------------------------------------------------------------------------


def test_a_campaign_not_started_yet_gives_no_offer(catalog):
    Campaign.objects.filter(pk="bookly-min").update(start=timezone.now() + timedelta(days=1))

    assert "bookly" not in store_ids(PARIS_ADULT)
    with pytest.raises(Problem) as refused:
        find_offer("bookly", "bookly-min", PARIS_ADULT)
    assert refused.value.code == "offer-not-found"


def test_a_campaign_already_ended_gives_no_offer(catalog):
    now = timezone.now()
    Campaign.objects.filter(pk="bookly-min").update(
        start=now - timedelta(days=30), end=now - timedelta(seconds=1)
    )

    assert "bookly" not in store_ids(PARIS_ADULT)
    with pytest.raises(Problem) as refused:
        find_offer("bookly", "bookly-min", PARIS_ADULT)
    assert refused.value.code == "offer-not-found"


def test_a_campaign_ending_later_is_offered(catalog):
    Campaign.objects.filter(pk="bookly-min").update(end=timezone.now() + timedelta(days=1))

    assert "bookly-min" in offer_ids(PARIS_ADULT)


def test_a_disabled_store_gives_no_offer(catalog):
    Store.objects.filter(pk="mixte").update(enabled=False)

    assert "mixte" not in store_ids(PARIS_ADULT)
    with pytest.raises(Problem) as refused:
        find_offer("mixte", "mixte-all.majoration", PARIS_ADULT)
    assert refused.value.code == "offer-not-found"


# ---------------------------------------------------------------------------------------------
# Budget and finding one offer
# ---------------------------------------------------------------------------------------------


def test_a_campaign_whose_budget_is_spent_gives_no_offer(catalog):
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=D("1000.00"))

    assert "sportmax" not in store_ids(PARIS_ADULT)
    with pytest.raises(Problem) as refused:
        find_offer("sportmax", "sportmax-launch", PARIS_ADULT)
    assert (refused.value.code, refused.value.status) == ("offer-exhausted", 409)


def test_a_campaign_whose_voucher_cap_is_reached_gives_no_offer(catalog):
    Campaign.objects.filter(pk="bookly-min").update(max_vouchers=2, vouchers_issued=2)

    assert "bookly" not in store_ids(PARIS_ADULT)
    with pytest.raises(Problem) as refused:
        find_offer("bookly", "bookly-min", PARIS_ADULT)
    assert (refused.value.code, refused.value.status) == ("offer-exhausted", 409)


def test_find_offer_gives_the_offer_asked_for(catalog):
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)

    assert (offer.id, offer.store.id, offer.campaign.id, offer.mode) == (
        "sportmax-launch",
        "sportmax",
        "sportmax-launch",
        "majoration",
    )


@pytest.mark.parametrize(
    ("store_id", "offer_id"),
    [
        ("sportmax", "no-such-offer"),
        ("nowhere", "sportmax-launch"),  # unknown store
        ("bookly", "sportmax-launch"),  # another store's offer
        ("mixte", "mixte-all"),  # a mixed campaign's offers carry the mode
        ("sportmax", "sportmax-launch.majoration"),  # a single-mode campaign's do not
    ],
)
def test_an_unknown_offer_is_not_found(catalog, store_id, offer_id):
    with pytest.raises(Problem) as refused:
        find_offer(store_id, offer_id, PARIS_ADULT)

    assert (refused.value.code, refused.value.status) == ("offer-not-found", 404)


def test_an_offer_targeted_at_others_is_not_found(catalog):
    with pytest.raises(Problem) as refused:
        find_offer("sportmax", "sportmax-launch", Audience("69001", 30, "M"))

    assert (refused.value.code, refused.value.status) == ("offer-not-found", 404)


def test_a_mixed_campaign_gives_one_offer_per_mode(catalog):
    mixte = [offer for offer in offers_for(PARIS_ADULT) if offer.store.id == "mixte"]

    assert sorted((o.id, o.mode) for o in mixte) == [
        ("mixte-all.majoration", "majoration"),
        ("mixte-all.minoration", "minoration"),
    ]
    assert find_offer("mixte", "mixte-all.minoration", PARIS_ADULT).mode == "minoration"


# ---------------------------------------------------------------------------------------------
# Proposed vouchers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [D("9.99"), D("49.99"), D("100"), D("123.45"), D("1000")])
def test_proposed_vouchers_never_cost_more_than_the_budget_and_are_all_accepted(catalog, budget):
    for offer in offers_for(PARIS_ADULT):
        proposed = offer.proposed(budget)
        accepted = offer.store.accepted_values
        assert all(q.price <= budget for q in proposed), offer.id
        assert all(accepted.contains(q.value) for q in proposed), offer.id
        assert [q.value for q in proposed] == sorted({q.value for q in proposed})


def test_proposed_vouchers_of_a_discrete_store_are_its_values_the_budget_buys(catalog):
    offer = find_offer("bookly", "bookly-min", PARIS_ADULT)

    assert [(q.value, q.price) for q in offer.proposed(D("50"))] == [
        (D("10.00"), D("9.00")),
        (D("20.00"), D("18.00")),
        (D("50.00"), D("45.00")),
    ]


def test_proposed_vouchers_stop_at_the_bonus_the_remaining_budget_can_fund(catalog):
    # 1.00 € of bonus left: at +5 % a 21 € voucher costs 20.00 (bonus 1.00), a 22 € one 20.95
    # (bonus 1.05), so the session's 100 € buys nothing above 21 € any more.
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=D("999.00"))
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)

    proposed = offer.proposed(D("100"))

    assert proposed, "small vouchers are still affordable"
    assert all(q.bonus <= D("1.00") for q in proposed)
    assert proposed[0].value == D("10.00")
    assert proposed[-1].value == D("21.00")
    assert offer.best(D("100")).value == D("21.00")


def test_a_budget_too_small_for_any_bonus_proposes_nothing(catalog):
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=D("999.99"))
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)

    assert offer.proposed(D("100")) == []
    assert offer.best(D("100")) is None


# ---------------------------------------------------------------------------------------------
# Best offer per store
# ---------------------------------------------------------------------------------------------


def test_best_by_store_gives_each_store_once_with_its_highest_value(catalog):
    budget = D("100")
    available = offers_for(PARIS_ADULT)

    best = best_by_store(available, budget)

    assert sorted(offer.store.id for offer, _ in best) == ["bookly", "mixte", "sportmax"]
    for offer, quote in best:
        highest = max(
            q.value for o in available if o.store.id == offer.store.id for q in o.proposed(budget)
        )
        assert quote.value == highest
        assert quote.price <= budget
    values = {offer.store.id: quote.value for offer, quote in best}
    assert values == {"sportmax": D("110.00"), "bookly": D("100.00"), "mixte": D("105.00")}


def test_best_by_store_prefers_the_bigger_bonus_between_equal_values(catalog):
    # 105 € costs 99.06 at +6 % (bonus 5.94) and 98.70 at −6 % (bonus 6.30).
    best = dict(
        (offer.store.id, (offer.id, quote.price))
        for offer, quote in best_by_store(offers_for(PARIS_ADULT), D("100"))
    )

    assert best["mixte"] == ("mixte-all.minoration", D("98.70"))


def test_best_by_store_leaves_out_stores_the_budget_buys_nothing_from(catalog):
    # Bookly's smallest voucher (10 €) costs 9.00; mixte's (5 €) about 4.70.
    best = best_by_store(offers_for(PARIS_ADULT), D("8"))

    assert sorted(offer.store.id for offer, _ in best) == ["mixte"]


# ---------------------------------------------------------------------------------------------
# The best offer found from the top equals the last proposed voucher (no database: unsaved rows)
# ---------------------------------------------------------------------------------------------


def cents(lo: int, hi: int):
    return st.integers(lo, hi).map(lambda c: D(c).scaleb(-2))


tiers_json = st.lists(
    st.tuples(st.integers(0, 30_000), st.integers(0, 3000)),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[0],
).map(
    lambda pairs: [{"from": str(D(c).scaleb(-2)), "rate": str(D(r).scaleb(-4))} for c, r in pairs]
)


@st.composite
def unsaved_offer(draw):
    if draw(st.booleans()):
        values = draw(st.lists(st.integers(1, 500), min_size=1, max_size=8))
        store = Store(id="s", name="S", slug="s", voucher_possible_discrete_values=values)
    else:
        minimum = draw(cents(1, 5000))
        step = draw(st.sampled_from([D("0.01"), D("0.50"), D(1), D(5), D(10)]))
        store = Store(
            id="s",
            name="S",
            slug="s",
            voucher_value_min=minimum,
            voucher_value_max=minimum + draw(st.integers(0, 400)) * step,
            voucher_value_step=step,
        )
    budget = draw(st.none() | cents(0, 20_000))
    spent = None if budget is None else draw(cents(0, int(budget * 100)))
    campaign = Campaign(
        id="c",
        store=store,
        mode=draw(st.sampled_from(["majoration", "minoration", "mixed"])),
        tiers=draw(tiers_json),
        rounding=draw(st.sampled_from(["cent", "euro"])),
        budget=budget,
        bonus_spent=spent if spent is not None else D("0.00"),
    )
    return [Offer(i, store, campaign, rule) for i, rule in catalog_offers.offer_ids(campaign)]


@settings(max_examples=200, deadline=None)
@given(unsaved_offer(), cents(1, 300_000))
def test_the_best_offer_is_the_last_proposed_voucher_the_campaign_can_fund(offers, session):
    for offer in offers:
        proposed = offer.proposed(session)
        every = pricing.proposed_quotes(offer.rule, offer.store.accepted_values, session)
        assert proposed == pricing.best_deals(q for q in every if offer.affordable(q))
        assert offer.best(session) == (proposed[-1] if proposed else None)


def test_rules_and_accepted_values_are_kept_per_content_never_stale():
    store = Store(id="s", name="S", slug="s", voucher_value_min=D(10), voucher_value_max=D(50))
    campaign = Campaign(id="c", store=store, mode="majoration", tiers=[{"from": 0, "rate": "0.05"}])

    assert catalog_offers.campaign_rules(campaign) == tuple(campaign.rules())
    assert catalog_offers.accepted_values(store) == store.accepted_values

    campaign.tiers = [{"from": 0, "rate": "0.07"}]
    store.voucher_value_max = D(40)
    assert catalog_offers.campaign_rules(campaign)[0].tiers[0].rate == D("0.07")
    assert max(catalog_offers.accepted_values(store).up_to(D(1000))) == D(40)
    # 1 and True are equal in Python but not the same JSON: no shared entry.
    campaign.tiers = [{"from": 1, "rate": "0.07"}]
    assert catalog_offers.campaign_rules(campaign)[0].tiers[0].start == D("1.00")
    campaign.tiers = [{"from": True, "rate": "0.07"}]
    with pytest.raises(ValueError):
        catalog_offers.campaign_rules(campaign)
