"""Which offers a session gets: live, targeted campaigns with budget left, priced for its amount.

The arithmetic lives in `pricing`; this module adds what needs the database: dates, targeting,
the campaign's remaining budget and cap.

Every catalogue request turns campaign and store rows into pricing rules and accepted values.
Both are immutable and depend only on a few fields of the row, so they are kept per process,
keyed on those fields' content (a changed row gets a new key, never a stale entry): parsing them
cost more than pricing a small session's whole catalogue.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from jackpot.catalog import pricing, snapshot
from jackpot.catalog.models import Campaign, CampaignMode, Store
from jackpot.core.problems import Problem

# At most this many entries per cache; past it the cache starts again empty. A catalogue has a
# few hundred distinct campaigns and value ranges at most.
_CACHE_LIMIT = 4096
_rules_cache: dict[tuple, tuple[pricing.PricingRule, ...]] = {}
_accepted_cache: dict[tuple, pricing.AcceptedValues] = {}


def campaign_rules(campaign: Campaign) -> tuple[pricing.PricingRule, ...]:
    """`campaign.rules()`, parsed once per distinct (mode, rounding, tiers)."""
    key = (campaign.mode, campaign.rounding, repr(campaign.tiers))  # repr tells 1 from "1"
    rules = _rules_cache.get(key)
    if rules is None:
        rules = tuple(campaign.rules())
        if len(_rules_cache) >= _CACHE_LIMIT:
            _rules_cache.clear()
        _rules_cache[key] = rules
    return rules


def accepted_values(store: Store) -> pricing.AcceptedValues:
    """`store.accepted_values`, built once per distinct set of voucher-value fields."""
    key = (
        repr(store.voucher_possible_discrete_values),
        store.voucher_value_min,
        store.voucher_value_max,
        store.voucher_value_step,
    )
    accepted = _accepted_cache.get(key)
    if accepted is None:
        accepted = store.accepted_values
        if len(_accepted_cache) >= _CACHE_LIMIT:
            _accepted_cache.clear()
        _accepted_cache[key] = accepted
    return accepted


@dataclass(frozen=True)
class Audience:
    """The targeting facts of a session (from the token's claims)."""

    postcode: str = ""
    age: int | None = None
    gender: str = ""


@dataclass(frozen=True)
class Offer:
    id: str
    store: Store
    campaign: Campaign
    rule: pricing.PricingRule

    @property
    def mode(self) -> str:
        return self.rule.mode

    def remaining_bonus(self) -> Decimal | None:
        if self.campaign.budget is None:
            return None
        return self.campaign.budget - self.campaign.bonus_spent

    def affordable(self, quote: pricing.Quote) -> bool:
        """Whether the campaign can still fund this quote's bonus."""
        remaining = self.remaining_bonus()
        return remaining is None or quote.bonus <= remaining

    def proposed(self, budget: Decimal) -> list[pricing.Quote]:
        """The accepted values this session can afford and the campaign can still fund, less
        those the same price buys a larger one of (`pricing.best_deals`)."""
        quotes = pricing.proposed_quotes(self.rule, accepted_values(self.store), budget)
        remaining = self.remaining_bonus()
        if remaining is not None:
            quotes = [q for q in quotes if q.bonus <= remaining]  # as `affordable`, computed once
        return pricing.best_deals(quotes)

    def better_at_same_price(self, quote: pricing.Quote) -> pricing.Quote | None:
        """A larger voucher of this offer, at ``quote``'s price, that the campaign can fund:
        what `proposed` offers instead of ``quote`` (None when ``quote`` is offered itself).

        Walks down from the largest value that price can buy to ``quote``'s value: a few
        quotes, not the whole list.
        """
        walk = pricing.proposed_quotes_descending(
            self.rule, accepted_values(self.store), quote.price
        )
        for candidate in walk:
            if candidate.value <= quote.value:
                return None
            if candidate.price == quote.price and self.affordable(candidate):
                return candidate
        return None

    def best(self, budget: Decimal) -> pricing.Quote | None:
        """The last of `proposed(budget)`, found from the top: a few quotes, not all of them."""
        descending = pricing.proposed_quotes_descending(
            self.rule, accepted_values(self.store), budget
        )
        return next((q for q in descending if self.affordable(q)), None)


def offer_ids(campaign: Campaign) -> list[tuple[str, pricing.PricingRule]]:
    """A campaign's offers: its id for one mode, `<id>.majoration` and `<id>.minoration`
    if mixed."""
    rules = campaign_rules(campaign)
    if campaign.mode != CampaignMode.MIXED:
        return [(campaign.id, rules[0])]
    return [(f"{campaign.id}.{rule.mode}", rule) for rule in rules]


def targets(campaign: Campaign, audience: Audience) -> bool:
    """Whether the campaign is aimed at this audience; a criterion the session lacks excludes."""
    if campaign.target_postcodes:
        if not audience.postcode or not any(
            audience.postcode.upper().startswith(p.upper()) for p in campaign.target_postcodes
        ):
            return False
    if campaign.target_age_min is not None or campaign.target_age_max is not None:
        if audience.age is None:
            return False
        if campaign.target_age_min is not None and audience.age < campaign.target_age_min:
            return False
        if campaign.target_age_max is not None and audience.age > campaign.target_age_max:
            return False
    if campaign.target_gender and audience.gender != campaign.target_gender:
        return False
    return True


def running_campaigns(now=None, store_id: str | None = None):
    """Campaigns in the catalogue within their dates, whatever budget they have left (SQL)."""
    now = now or timezone.now()
    campaigns = snapshot.in_catalogue().filter(start__lte=now)
    campaigns = campaigns.filter(Q(end__isnull=True) | Q(end__gt=now))
    if store_id is not None:
        campaigns = campaigns.filter(store_id=store_id)
    return campaigns


def offers_for(audience: Audience, now=None, store_id: str | None = None) -> list[Offer]:
    """The session's offers, from the running catalogue kept per process (`snapshot`)."""
    return [
        Offer(offer_id, campaign.store, campaign, rule)
        for campaign in snapshot.running(now or timezone.now(), store_id)
        if campaign.has_budget_left() and targets(campaign, audience)
        for offer_id, rule in offer_ids(campaign)
    ]


def find_offer(store_id: str, offer_id: str, audience: Audience, now=None) -> Offer:
    """The offer a session asked for, or the problem saying why it cannot have it."""
    campaign_id = offer_id.rsplit(".", 1)[0]
    for campaign in snapshot.running(now or timezone.now(), store_id, campaign_id):
        for candidate_id, rule in offer_ids(campaign):
            if candidate_id != offer_id or not targets(campaign, audience):
                continue
            if not campaign.has_budget_left():
                raise Problem(
                    "offer-exhausted",
                    "This offer has run out",
                    409,
                    "The campaign's bonus budget or voucher cap is used up; choose another offer.",
                )
            return Offer(offer_id, campaign.store, campaign, rule)
    raise Problem(
        "offer-not-found",
        "Offer not found",
        404,
        f"Store {store_id!r} has no offer {offer_id!r} for this session (unknown, not running, "
        "or not targeted at it).",
    )


def store_vouchers(store_offers: list[Offer], budget: Decimal) -> list[tuple[Offer, pricing.Quote]]:
    """What one store offers this session, ascending by value, as the API lists it and the
    widget shows it: every offer's proposed vouchers, less those another offer of the store
    beats (`pricing.best_deals`; of two offers giving the same value at the same price, the
    first by id)."""
    pairs = [(o, q) for o in store_offers for q in o.proposed(budget)]
    pairs.sort(key=lambda oq: (oq[1].value, oq[1].price, oq[0].id))
    return pricing.best_deals(pairs, lambda oq: oq[1])


def listed_by_offer(found: list[Offer], budget: Decimal) -> list[tuple[Offer, list]]:
    """Each offer with its part of its store's `store_vouchers`: what the admin's preview
    shows of each offer is what the API lists and the widget shows."""
    by_store: dict[str, list[Offer]] = {}
    for offer in found:
        by_store.setdefault(offer.store.id, []).append(offer)
    listed: dict[str, list[pricing.Quote]] = {}
    for store_offers in by_store.values():
        for offer, quote in store_vouchers(store_offers, budget):
            listed.setdefault(offer.id, []).append(quote)
    return [(offer, listed.get(offer.id, [])) for offer in found]


def best_by_store(offers: list[Offer], budget: Decimal) -> list[tuple[Offer, pricing.Quote]]:
    """Each store once, with its offer giving the highest value (then the biggest bonus)."""
    best: dict[str, tuple[Offer, pricing.Quote]] = {}
    for offer in offers:
        quote = offer.best(budget)
        if quote is None:
            continue
        current = best.get(offer.store.id)
        if current is None or (quote.value, quote.bonus) > (current[1].value, current[1].bonus):
            best[offer.store.id] = (offer, quote)
    return list(best.values())
