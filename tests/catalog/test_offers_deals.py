"""What a store offers a session (`offers.store_vouchers`): one voucher per value, never a value
the same price buys a larger voucher of, the admin's preview showing the same.

The `catalog` fixture (conftest's SMALL_CATALOG): sportmax is the SPEC's +5/+8/+10 % campaign
over 10..500 € by 1 €; mixte is a mixed ±6 % campaign over 5..200 € by 5 €.
"""

from decimal import Decimal

import pytest

from jackpot.catalog.models import Campaign
from jackpot.catalog.offers import (
    Audience,
    find_offer,
    listed_by_offer,
    offers_for,
    store_vouchers,
)
from jackpot.catalog.pricing import quote_for_value

pytestmark = pytest.mark.django_db
D = Decimal
PARIS_ADULT = Audience("75011", 30, "M")


def values(quotes) -> list[Decimal]:
    return [q.value for q in quotes]


def test_the_108_and_109_euro_vouchers_are_not_offered_for_the_price_of_110(catalog):
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)

    proposed = offer.proposed(D(100))

    assert values(proposed)[-3:] == [D(106), D(107), D(110)]
    assert proposed[-1].price == D(100)
    assert len({q.price for q in proposed}) == len(proposed)


def test_a_value_the_campaign_cannot_fund_hides_no_smaller_one_at_its_price(catalog):
    # 9 € of bonus left: the 110 € voucher (10 € of bonus) cannot be funded, the 109 € one can.
    Campaign.objects.filter(pk="sportmax-launch").update(bonus_spent=D(991))
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)

    proposed = offer.proposed(D(100))

    assert values(proposed)[-2:] == [D(107), D(109)]
    assert offer.better_at_same_price(proposed[-1]) is None


def test_a_larger_voucher_at_the_same_price_is_found_from_any_smaller_one(catalog):
    offer = find_offer("sportmax", "sportmax-launch", PARIS_ADULT)

    def better(value):
        found = offer.better_at_same_price(quote_for_value(offer.rule, D(value)))
        return found and found.value

    assert (better(108), better(109), better(53)) == (D(110), D(110), D(54))
    assert (better(110), better(107), better(54)) == (None, None, None)


def test_a_mixed_store_offers_each_value_once_from_its_cheaper_mode(catalog):
    mixte = [o for o in offers_for(PARIS_ADULT) if o.store.id == "mixte"]

    listed = store_vouchers(mixte, D(100))

    assert values(q for _, q in listed) == [D(v) for v in range(5, 110, 5)]
    # at ±6 %, a value costs V × 0.94 by minoration, less than V / 1.06 by majoration
    assert {offer.id for offer, _ in listed} == {"mixte-all.minoration"}
    assert all(o.proposed(D(100)) for o in mixte)  # the majoration offer has its own list


def test_the_preview_shows_of_each_offer_what_the_store_lists(catalog):
    found = offers_for(PARIS_ADULT)

    rows = dict((offer.id, quotes) for offer, quotes in listed_by_offer(found, D(100)))

    assert rows["mixte-all.majoration"] == []
    assert rows["mixte-all.minoration"] == [
        q for _, q in store_vouchers([o for o in found if o.store.id == "mixte"], D(100))
    ]
    assert values(rows["sportmax-launch"])[-3:] == [D(106), D(107), D(110)]
