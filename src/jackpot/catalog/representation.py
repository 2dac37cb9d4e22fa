"""Stores, offers and quotes as the API, the widget and store notifications show them."""

from jackpot.catalog import pricing
from jackpot.catalog.models import Store
from jackpot.catalog.monogram import monogram
from jackpot.catalog.offers import Offer
from jackpot.core.formats import amount, iso


def store_identity(store: Store) -> dict:
    """The store's name and words, as the API and the catalogue file both spell them."""
    return {
        "id": store.id,
        "name": store.name,
        "slug": store.slug,
        "description": store.description,
        "mentions": store.mentions,
        "baseColor": store.base_color,
    }


def store_terms(store: Store) -> dict:
    """Where and how long a store's vouchers serve, as the API and the catalogue file spell it."""
    return {
        "online": store.online,
        "inStore": store.in_store,
        "shippingTime": store.shipping_time,
        "validityMonths": store.validity_months,
    }


def store_object(store: Store) -> dict:
    discrete = [amount(pricing.money(v)) for v in store.voucher_possible_discrete_values]
    return {
        **store_identity(store),
        "logos": {
            "small": store.logo_small or None,
            "medium": store.logo_medium or None,
            "large": store.logo_large or None,
        },
        "monogram": monogram(store.name),
        "illustration": store.illustration or None,
        "categories": list(store.categories),
        **store_terms(store),
        "voucherValueMin": None if discrete else amount(store.voucher_value_min),
        "voucherValueMax": None if discrete else amount(store.voucher_value_max),
        "voucherValueStep": None if discrete else amount(store.voucher_value_step),
        "voucherPossibleDiscreteValues": discrete,
    }


def quote_object(offer: Offer, quote: pricing.Quote) -> dict:
    return {
        "offerId": offer.id,
        "mode": quote.mode,
        "price": amount(quote.price),
        "value": amount(quote.value),
        "bonus": amount(quote.bonus),
        "rate": str(quote.rate),
    }


def offer_object(offer: Offer, budget) -> dict:
    proposed = offer.proposed(budget)
    campaign = offer.campaign
    return {
        "id": offer.id,
        "storeId": offer.store.id,
        "store": store_object(offer.store),
        "mode": offer.mode,
        "campaignMode": campaign.mode,
        "tiers": [{"from": amount(t.start), "rate": str(t.rate)} for t in offer.rule.tiers],
        "rounding": campaign.rounding,
        "start": iso(campaign.start),
        "end": iso(campaign.end),
        "bestVoucher": quote_object(offer, proposed[-1]) if proposed else None,
        "vouchers": [quote_object(offer, q) for q in proposed],
    }
