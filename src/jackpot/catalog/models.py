"""Stores (merchants whose vouchers are sold) and the campaigns that fund their bonus."""

from decimal import Decimal

from django.db import models
from django.utils import timezone

from jackpot.catalog import pricing


class CodeSource(models.TextChoices):
    GENERATED = "generated", "Generated codes"
    POOL = "pool", "Imported pool"


class Store(models.Model):
    id = models.SlugField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True, default="")
    mentions = models.TextField(blank=True, default="")
    base_color = models.CharField(max_length=7, default="#333333")
    logo_small = models.CharField(max_length=500, blank=True, default="")
    logo_medium = models.CharField(max_length=500, blank=True, default="")
    logo_large = models.CharField(max_length=500, blank=True, default="")
    illustration = models.CharField(max_length=500, blank=True, default="")
    categories = models.JSONField(default=list, blank=True)
    online = models.BooleanField(default=True)
    in_store = models.BooleanField(default=False)
    shipping_time = models.CharField(max_length=64, blank=True, default="")
    validity_months = models.PositiveIntegerField(default=12)
    voucher_value_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    voucher_value_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    voucher_value_step = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("1.00")
    )
    voucher_possible_discrete_values = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    code_source = models.CharField(
        max_length=16, choices=CodeSource.choices, default=CodeSource.GENERATED
    )
    # Pool stores: warn the operator when fewer usable codes than this are left; and the flag
    # `vouchers.codes.pool` sets when the pool can make no accepted value (the store leaves the
    # catalogue until codes arrive).
    code_low_stock_threshold = models.PositiveIntegerField(default=10)
    codes_exhausted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def accepted_values(self) -> pricing.AcceptedValues:
        if self.voucher_possible_discrete_values:
            return pricing.AcceptedValues(
                discrete=tuple(pricing.money(v) for v in self.voucher_possible_discrete_values)
            )
        return pricing.AcceptedValues(
            minimum=self.voucher_value_min,
            maximum=self.voucher_value_max,
            step=self.voucher_value_step,
        )


class CampaignMode(models.TextChoices):
    MAJORATION = "majoration", "Majoration (value above the price)"
    MINORATION = "minoration", "Minoration (price below the value)"
    MIXED = "mixed", "Mixed (both offers)"


class Rounding(models.TextChoices):
    CENT = "cent", "To the cent"
    EURO = "euro", "Price up to the euro"


class Gender(models.TextChoices):
    M = "M", "Male"
    F = "F", "Female"


class Campaign(models.Model):
    id = models.SlugField(primary_key=True, max_length=64)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="campaigns")
    mode = models.CharField(max_length=16, choices=CampaignMode.choices)
    # [{"from": "0.00", "rate": "0.05"}, ...]: the rate applies from that converted amount on.
    tiers = models.JSONField()
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.CENT)
    # Targeting: empty means everyone. Postcodes are prefixes ("75", "2A", "13008").
    target_postcodes = models.JSONField(default=list, blank=True)
    target_age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    target_age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    target_gender = models.CharField(max_length=1, choices=Gender.choices, blank=True, default="")
    # The bonus money the store funds (null: unlimited) and how much of it reservations hold.
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    bonus_spent = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    max_vouchers = models.PositiveIntegerField(null=True, blank=True)
    vouchers_issued = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["store_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True)
                | models.Q(bonus_spent__lte=models.F("budget")),
                name="campaign_bonus_within_budget",
            ),
            models.CheckConstraint(
                condition=models.Q(max_vouchers__isnull=True)
                | models.Q(vouchers_issued__lte=models.F("max_vouchers")),
                name="campaign_vouchers_within_cap",
            ),
            models.CheckConstraint(
                condition=models.Q(bonus_spent__gte=0), name="campaign_bonus_spent_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.mode})"

    def has_budget_left(self) -> bool:
        """Whether the budget and the voucher cap still have room (`budget.take` guards it)."""
        return (self.budget is None or self.bonus_spent < self.budget) and (
            self.max_vouchers is None or self.vouchers_issued < self.max_vouchers
        )

    def rules(self) -> list[pricing.PricingRule]:
        """The pricing rules this campaign offers: one per mode, two for a mixed campaign."""
        tiers = tuple(
            pricing.Tier(start=pricing.money(t["from"]), rate=Decimal(str(t["rate"])))
            for t in self.tiers
        )
        modes = ["majoration", "minoration"] if self.mode == CampaignMode.MIXED else [self.mode]
        return [pricing.PricingRule(mode=m, tiers=tiers, rounding=self.rounding) for m in modes]
