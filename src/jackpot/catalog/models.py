"""Stores (merchants whose vouchers are sold) and the campaigns that fund their bonus."""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jackpot.catalog import pricing


class CodeSource(models.TextChoices):
    GENERATED = "generated", _("Generated codes")
    POOL = "pool", _("Imported pool")


class Store(models.Model):
    id = models.SlugField(_("store id"), primary_key=True, max_length=64)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    mentions = models.TextField(
        _("terms of use"),
        blank=True,
        default="",
        help_text=_("Printed on the voucher and shown in the widget (the mentions)."),
    )
    base_color = models.CharField(_("brand colour"), max_length=7, default="#333333")
    logo_small = models.CharField(_("small logo"), max_length=500, blank=True, default="")
    logo_medium = models.CharField(_("medium logo"), max_length=500, blank=True, default="")
    logo_large = models.CharField(_("large logo"), max_length=500, blank=True, default="")
    illustration = models.CharField(_("illustration"), max_length=500, blank=True, default="")
    categories = models.JSONField(_("categories"), default=list, blank=True)
    online = models.BooleanField(_("usable online"), default=True)
    in_store = models.BooleanField(_("usable in store"), default=False)
    shipping_time = models.CharField(_("shipping time"), max_length=64, blank=True, default="")
    validity_months = models.PositiveIntegerField(_("validity (months)"), default=12)
    voucher_value_min = models.DecimalField(
        _("smallest voucher value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    voucher_value_max = models.DecimalField(
        _("largest voucher value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    voucher_value_step = models.DecimalField(
        _("voucher value step"), max_digits=12, decimal_places=2, default=Decimal("1.00")
    )
    voucher_possible_discrete_values = models.JSONField(
        _("accepted voucher values"),
        default=list,
        blank=True,
        help_text=_("When set, only these values are sold (the range above is ignored)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    code_source = models.CharField(
        _("code source"), max_length=16, choices=CodeSource.choices, default=CodeSource.GENERATED
    )
    # Pool stores: warn the operator when fewer usable codes than this are left; and the flag
    # `vouchers.codes.pool` sets when the pool can make no accepted value (the store leaves the
    # catalogue until codes arrive).
    code_low_stock_threshold = models.PositiveIntegerField(
        _("low stock warning below"),
        default=10,
        help_text=_("Pool stores: the operator is warned when fewer usable codes are left."),
    )
    codes_exhausted = models.BooleanField(_("codes exhausted"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

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
    MAJORATION = "majoration", _("Majoration (value above the price)")
    MINORATION = "minoration", _("Minoration (price below the value)")
    MIXED = "mixed", _("Mixed (both offers)")


class Rounding(models.TextChoices):
    CENT = "cent", _("To the cent")
    EURO = "euro", _("Price up to the euro")


class Gender(models.TextChoices):
    M = "M", _("Male")
    F = "F", _("Female")


class Campaign(models.Model):
    id = models.SlugField(_("campaign id"), primary_key=True, max_length=64)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("store")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=CampaignMode.choices)
    # [{"from": "0.00", "rate": "0.05"}, ...]: the rate applies from that converted amount on.
    tiers = models.JSONField(
        _("rate tiers"), help_text=_("Each rate applies from its converted amount on.")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    rounding = models.CharField(
        _("rounding"), max_length=8, choices=Rounding.choices, default=Rounding.CENT
    )
    # Targeting: empty means everyone. Postcodes are prefixes ("75", "2A", "13008").
    target_postcodes = models.JSONField(
        _("postcodes"),
        default=list,
        blank=True,
        help_text=_("Postcode or department prefixes (75, 2A, 13008); empty: everyone."),
    )
    target_age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    target_age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    target_gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, blank=True, default=""
    )
    # The bonus money the store funds (null: unlimited) and how much of it reservations hold.
    budget = models.DecimalField(
        _("bonus budget"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The bonus money the store funds; empty: unlimited."),
    )
    bonus_spent = models.DecimalField(
        _("bonus spent"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    max_vouchers = models.PositiveIntegerField(
        _("voucher cap"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    vouchers_issued = models.PositiveIntegerField(_("vouchers issued"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["store_id", "start", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
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
