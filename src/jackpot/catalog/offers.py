"""Which offers a session gets: live, targeted campaigns with budget left, priced for its amount.

The arithmetic lives in `pricing`; this module adds what needs the database: dates, targeting,
the campaign's remaining budget and cap.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from jackpot.catalog import pricing
from jackpot.catalog.models import Campaign, CampaignMode, Store
from jackpot.core.problems import Problem


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
        """Every accepted value this session can afford and the campaign can still fund."""
        return [
            q
            for q in pricing.proposed_quotes(self.rule, self.store.accepted_values, budget)
            if self.affordable(q)
        ]

    def best(self, budget: Decimal) -> pricing.Quote | None:
        proposed = self.proposed(budget)
        return proposed[-1] if proposed else None


def offer_ids(campaign: Campaign) -> list[tuple[str, pricing.PricingRule]]:
    """A campaign's offers: its id for one mode, `<id>.majoration` and `<id>.minoration`
    if mixed."""
    rules = campaign.rules()
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
    """Campaigns of enabled stores within their dates, whatever budget they have left.

    A pool store whose codes can make no accepted value (`codes_exhausted`, kept by
    `vouchers.codes`) is out of the catalogue until codes are imported.
    """
    now = now or timezone.now()
    campaigns = (
        Campaign.objects.select_related("store")
        .filter(store__enabled=True, store__codes_exhausted=False, start__lte=now)
        .filter(Q(end__isnull=True) | Q(end__gt=now))
        .order_by("store__name", "store_id", "start", "id")
    )
    if store_id is not None:
        campaigns = campaigns.filter(store_id=store_id)
    return campaigns


def with_budget_left(campaigns):
    return campaigns.filter(Q(budget__isnull=True) | Q(bonus_spent__lt=F("budget"))).filter(
        Q(max_vouchers__isnull=True) | Q(vouchers_issued__lt=F("max_vouchers"))
    )


def offers_for(audience: Audience, now=None, store_id: str | None = None) -> list[Offer]:
    return [
        Offer(offer_id, campaign.store, campaign, rule)
        for campaign in with_budget_left(running_campaigns(now, store_id))
        if targets(campaign, audience)
        for offer_id, rule in offer_ids(campaign)
    ]


def find_offer(store_id: str, offer_id: str, audience: Audience, now=None) -> Offer:
    """The offer a session asked for, or the problem saying why it cannot have it."""
    campaign_id = offer_id.rsplit(".", 1)[0]
    for campaign in running_campaigns(now, store_id).filter(pk=campaign_id):
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
