"""A campaign's bonus budget and voucher cap: taken by reservations, given back by releases.

Both are single guarded UPDATEs, so concurrent reservations cannot over-spend: on PostgreSQL the
second UPDATE waits for the first's row lock and re-evaluates its WHERE clause; SQLite runs one
writer at a time.
"""

from decimal import Decimal

from django.db.models import F, Q

from jackpot.catalog.models import Campaign
from jackpot.core.compiled import CompiledUpdate
from jackpot.core.money import in_cents
from jackpot.core.problems import Problem

_take = CompiledUpdate(
    lambda campaign_id, bonus: (
        Campaign.objects.filter(pk=campaign_id)
        .filter(Q(budget__isnull=True) | Q(budget__gte=in_cents(F("bonus_spent") + bonus)))
        .filter(Q(max_vouchers__isnull=True) | Q(max_vouchers__gt=F("vouchers_issued"))),
        {
            "bonus_spent": in_cents(F("bonus_spent") + bonus),
            "vouchers_issued": F("vouchers_issued") + 1,
        },
    ),
    "campaign-example",
    Decimal("0.0137"),
)


def take(campaign_id: str, bonus: Decimal) -> None:
    """Claim `bonus` and one voucher, or raise `offer-exhausted`."""
    if not _take(campaign_id, bonus):
        raise Problem(
            "offer-exhausted",
            "This offer has run out",
            409,
            "The campaign's bonus budget or voucher cap is used up; choose another offer.",
        )


def give_back(campaign_id: str, bonus: Decimal) -> None:
    """Return what a reservation took (cancel, expiry)."""
    Campaign.objects.filter(pk=campaign_id).update(
        bonus_spent=in_cents(F("bonus_spent") - bonus), vouchers_issued=F("vouchers_issued") - 1
    )
