"""Operator admin: stores, campaigns, and a preview of the offers a set of claims would get.

The preview calls `catalog.offers` exactly as a session does (dates, targeting, budget left,
accepted values), so what the operator sees is what a user with those claims would be offered.
The forms (`catalog_forms`) keep the catalogue file's rules. A store or a campaign that issued a
voucher is never deleted (its vouchers refer to it): the store is disabled, the campaign ended.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit
from jackpot.backoffice.catalog_forms import CampaignForm, PreviewForm, StoreForm
from jackpot.catalog import closing, offers
from jackpot.catalog.models import Campaign, CodeSource, Store
from jackpot.core.formatting import money
from jackpot.webhooks import store_events

PREVIEW_VALUES = 12  # proposed vouchers shown per offer


class KeptOnceUsed:
    """Delete is offered only for a row no voucher refers to, one at a time: the changelist's
    bulk delete is replaced by the admin's own action (end, disable)."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.vouchers.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        # An id is what vouchers and catalogue files know it by: a new id would be a new row.
        extra = ["id"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *extra]


def _post_tool(url_name: str, obj, label) -> tuple:
    return (reverse(url_name, args=[obj.pk]), label, "post")


class CampaignInline(kit.ReadOnlyInline):
    """The store's campaigns, each a link to its own page (where the tiers and targeting are)."""

    model = Campaign
    show_change_link = False  # the campaign's id is the link
    fields = [
        "campaign",
        "mode",
        "start",
        "end",
        "budget",
        "bonus_spent",
        "max_vouchers",
        "vouchers_issued",
    ]
    readonly_fields = fields

    @admin.display(description=_("campaign"))
    def campaign(self, obj):
        if obj is None or not obj.pk:
            return "—"
        url = reverse("admin:catalog_campaign_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.pk)


@admin.register(Store)
class StoreAdmin(KeptOnceUsed, admin.ModelAdmin):
    form = StoreForm
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
    actions = ["disable_selected"]
    change_form_template = "admin/jackpot/change_form_tools.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "name",
                    "slug",
                    "enabled",
                    "description",
                    "mentions",
                    "categories",
                    "other_categories",
                ]
            },
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

    @admin.action(description=_("Disable the selected stores (they leave the catalogue)"))
    def disable_selected(self, request, queryset):
        done = sum(_disable(request, store) for store in queryset)
        messages.success(request, gettext("Stores disabled: %(n)s.") % {"n": done})

    def disable_view(self, request, object_id):
        store = get_object_or_404(Store, pk=object_id)
        if request.method == "POST" and self.has_change_permission(request, store):
            if _disable(request, store):
                messages.success(request, gettext("The store is disabled: it left the catalogue."))
        return redirect("admin:catalog_store_change", store.pk)

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
            path(
                "<path:object_id>/disable/",
                view(self.disable_view),
                name="catalog_store_disable",
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
        if store is not None:
            add = reverse("admin:catalog_campaign_add") + f"?store={object_id}"
            tools.append((add, gettext("Add a campaign"), "get"))
        if store is not None and store.enabled:
            tools.append(_post_tool("admin:catalog_store_disable", store, gettext("Disable")))
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


def _disable(request, store: Store) -> bool:
    """Take the store out of the catalogue (partners hear `store/disabled`); False if it was."""
    if not store.enabled:
        return False
    with transaction.atomic(), store_events.announcing(store.pk):
        store.enabled = False
        store.save(update_fields=["enabled", "updated_at"])
    kit.log(request, store, "disabled")
    return True


@admin.register(Campaign)
class CampaignAdmin(KeptOnceUsed, kit.ListTools, admin.ModelAdmin):
    form = CampaignForm
    actions = ["end_selected"]
    change_form_template = "admin/jackpot/change_form_tools.html"
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
        return closing.running(obj) and obj.has_budget_left()

    @admin.action(description=_("End the selected campaigns now (they leave the offers)"))
    def end_selected(self, request, queryset):
        ended = [c for c in queryset if closing.end_campaign(c)]
        for campaign in ended:
            kit.log(request, campaign, "ended")
        messages.success(request, gettext("Campaigns ended: %(n)s.") % {"n": len(ended)})

    def end_view(self, request, object_id):
        campaign = get_object_or_404(Campaign, pk=object_id)
        if request.method == "POST" and self.has_change_permission(request, campaign):
            if closing.end_campaign(campaign):
                kit.log(request, campaign, "ended")
                messages.success(
                    request,
                    gettext(
                        "The campaign is over: it left the offers, its vouchers keep their terms."
                    ),
                )
            else:
                messages.error(request, gettext("Only a running campaign can be ended."))
        return redirect("admin:catalog_campaign_change", campaign.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = Campaign.objects.filter(pk=object_id).first()
        tools = []
        if campaign is not None and closing.running(campaign):
            tools.append(_post_tool("admin:catalog_campaign_end", campaign, gettext("End now")))
        extra_context = {**(extra_context or {}), "tools": tools}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="catalog_campaign_preview"),
            path("<path:object_id>/end/", view(self.end_view), name="catalog_campaign_end"),
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
