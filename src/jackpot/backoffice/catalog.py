"""Operator admin: stores, campaigns, and a preview of the offers a set of claims would get.

The preview calls `catalog.offers` exactly as a session does (dates, targeting, budget left,
accepted values), so what the operator sees is what a user with those claims would be offered.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticError

from jackpot.backoffice import kit
from jackpot.catalog import importer, offers
from jackpot.catalog.models import Campaign, CodeSource, Store
from jackpot.core.formats import POSTCODE
from jackpot.core.formatting import money
from jackpot.webhooks import store_events

PREVIEW_VALUES = 12  # proposed vouchers shown per offer


class PreviewForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("100"),
        help_text=_("The token's amount: the session budget."),
    )
    cp = forms.CharField(label=_("Postcode (cp)"), required=False, max_length=5)
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=130)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), ("M", "M"), ("F", "F")]
    )
    store = forms.ModelChoiceField(
        label=_("Store"), required=False, queryset=Store.objects.all(), empty_label=_("All stores")
    )

    def clean_cp(self):
        cp = self.cleaned_data["cp"].strip().upper()
        if cp and not POSTCODE.fullmatch(cp):
            raise ValidationError(_("A French postcode or department prefix (75, 2A, 13008)."))
        return cp


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "store",
            "mode",
            "tiers",
            "rounding",
            "start",
            "end",
            "target_postcodes",
            "target_age_min",
            "target_age_max",
            "target_gender",
            "budget",
            "max_vouchers",
        ]

    def clean_tiers(self):
        tiers = self.cleaned_data["tiers"]
        try:
            parsed = [importer.TierIn.model_validate(t) for t in tiers]
        except (PydanticError, TypeError) as exc:
            raise ValidationError(
                _(
                    'Tiers are a list like [{"from": "0", "rate": "0.05"}, '
                    '{"from": "50", "rate": "0.08"}].'
                )
                + f" ({exc})"
            ) from None
        if not parsed:
            raise ValidationError(_("At least one tier."))
        return [
            {"from": str(t.from_), "rate": str(t.rate)}
            for t in sorted(parsed, key=lambda t: t.from_)
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            raise ValidationError(_("The campaign ends before it starts."))
        age_min, age_max = cleaned.get("target_age_min"), cleaned.get("target_age_max")
        if age_min is not None and age_max is not None and age_max < age_min:
            raise ValidationError(_("The maximum age is below the minimum age."))
        return cleaned


class CampaignInline(admin.TabularInline):
    model = Campaign
    form = CampaignForm
    extra = 0
    show_change_link = True
    fields = [
        "id",
        "mode",
        "start",
        "end",
        "budget",
        "bonus_spent",
        "max_vouchers",
        "vouchers_issued",
    ]
    readonly_fields = ["bonus_spent", "vouchers_issued"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "id",
        "enabled",
        "code_source",
        "stock",
        "campaigns_count",
        "validity_months",
        "updated_at",
    ]
    list_filter = ["enabled", "code_source", "codes_exhausted", "online", "in_store"]
    search_fields = ["id", "name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["codes_exhausted", "updated_at"]
    inlines = [CampaignInline]
    change_form_template = "admin/jackpot/change_form_tools.html"
    fieldsets = [
        (
            None,
            {"fields": ["id", "name", "slug", "enabled", "description", "mentions", "categories"]},
        ),
        (
            _("Look"),
            {"fields": ["base_color", "logo_small", "logo_medium", "logo_large", "illustration"]},
        ),
        (
            _("Vouchers"),
            {
                "fields": [
                    "validity_months",
                    "voucher_value_min",
                    "voucher_value_max",
                    "voucher_value_step",
                    "voucher_possible_discrete_values",
                    "online",
                    "in_store",
                    "shipping_time",
                ]
            },
        ),
        (
            _("Codes"),
            {
                "fields": [
                    "code_source",
                    "code_low_stock_threshold",
                    "codes_exhausted",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(campaigns_total=Count("campaigns", distinct=True))
        )

    def save_model(self, request, obj, form, change):
        with store_events.announcing(obj.pk):  # partners hear of what they see change
            super().save_model(request, obj, form, change)

    @admin.display(description=_("campaigns"), ordering="campaigns_total")
    def campaigns_count(self, obj):
        return obj.campaigns_total

    @admin.display(description=_("usable codes"))
    def stock(self, obj):
        if obj.code_source != CodeSource.POOL:
            return "—"
        from jackpot.vouchers.codes import pool

        left = sum(pool.stock(obj.pk).values())
        low = left < obj.code_low_stock_threshold or obj.codes_exhausted
        return format_html('<span class="{}">{}</span>', "jp-low" if low else "", left)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/merchant-key/",
                view(self.merchant_key_view),
                name="catalog_store_merchant_key",
            ),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        tools = [
            (
                reverse("admin:catalog_campaign_preview") + f"?store={object_id}",
                gettext("Preview offers"),
                "get",
            ),
            (
                reverse("admin:catalog_store_merchant_key", args=[object_id]),
                gettext("Issue a merchant API key"),
                "post",
            ),
        ]
        store = Store.objects.filter(pk=object_id).first()
        if store is not None and store.code_source == CodeSource.POOL:
            tools.insert(
                0,
                (
                    reverse("admin:vouchers_code_import") + f"?store={object_id}",
                    gettext("Import codes (CSV)"),
                    "get",
                ),
            )
        extra_context["tools"] = tools
        return super().change_view(request, object_id, form_url, extra_context)

    def merchant_key_view(self, request, object_id):
        store = get_object_or_404(Store, pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, store):
            return redirect("admin:catalog_store_change", store.pk)
        from jackpot.vouchers.codes import merchant

        key = merchant.issue_store_key(store)
        kit.log(request, store, "merchant API key issued")
        return kit.shown_once(
            request,
            self,
            gettext("New merchant API key"),
            {gettext("Merchant key"): key},
            obj=store,
            note=gettext("The store checks and redeems codes with it (merchant API)."),
        )


@admin.register(Campaign)
class CampaignAdmin(kit.ListTools, admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "id",
        "store",
        "mode",
        "start",
        "end",
        "budget_money",
        "bonus_spent_money",
        "remaining",
        "vouchers_issued",
        "max_vouchers",
        "running",
    ]
    list_filter = ["mode", "rounding", "store"]
    search_fields = ["id", "store__name", "store__id"]
    date_hierarchy = "start"
    autocomplete_fields = ["store"]
    readonly_fields = ["bonus_spent", "vouchers_issued", "created_at"]
    list_tools = (("admin:catalog_campaign_preview", _("Preview offers")),)
    fieldsets = [
        (None, {"fields": ["id", "store", "mode", "tiers", "rounding", "start", "end"]}),
        (
            _("Targeting"),
            {"fields": ["target_postcodes", "target_age_min", "target_age_max", "target_gender"]},
        ),
        (
            _("Budget"),
            {"fields": ["budget", "bonus_spent", "max_vouchers", "vouchers_issued", "created_at"]},
        ),
    ]

    budget_money = kit.money_column("budget", _("budget"), currency_field=None)
    bonus_spent_money = kit.money_column("bonus_spent", _("bonus spent"), currency_field=None)

    @admin.display(description=_("left"))
    def remaining(self, obj):
        return "∞" if obj.budget is None else money(obj.budget - obj.bonus_spent)

    @admin.display(description=_("running"), boolean=True)
    def running(self, obj):
        now = timezone.now()
        return obj.start <= now and (obj.end is None or obj.end > now) and obj.has_budget_left()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="catalog_campaign_preview")
        ] + super().get_urls()

    def preview_view(self, request):
        form = PreviewForm(request.GET or None)
        rows, excluded = None, []
        if form.is_valid():
            data = form.cleaned_data
            audience = offers.Audience(postcode=data["cp"], age=data["age"], gender=data["gender"])
            store_id = data["store"].pk if data["store"] else None
            found = offers.offers_for(audience, store_id=store_id)
            rows = []
            for offer, proposed in offers.listed_by_offer(found, data["amount"]):
                rows.append(
                    {
                        "offer": offer,
                        "beaten": not proposed and bool(offer.proposed(data["amount"])),
                        "best": proposed[-1] if proposed else None,
                        "proposed": proposed[-PREVIEW_VALUES:],
                        "more": max(0, len(proposed) - PREVIEW_VALUES),
                    }
                )
            offered = {o.campaign.pk for o in found}
            for campaign in offers.running_campaigns(store_id=store_id):
                if campaign.pk in offered:
                    continue
                if not offers.targets(campaign, audience):
                    reason = gettext("not targeted at these claims")
                elif not campaign.has_budget_left():
                    reason = gettext("budget or voucher cap used up")
                else:
                    reason = gettext("no offer")
                excluded.append({"campaign": campaign, "reason": reason})
        return kit.page(
            request,
            self,
            "admin/catalog/campaign/preview.html",
            gettext("Offers preview"),
            form=form,
            rows=rows,
            excluded=excluded,
        )
