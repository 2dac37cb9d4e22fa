"""Operator admin: partners (list, settings, enable/disable), their portal users, apiSignatures
and legal information. The partner page's tools (credentials, wallet, statements, portal
users) are in `partner_tools`; the admin only collects input, calls the services and journals.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit
from jackpot.backoffice.partner_tools import PartnerTools
from jackpot.core.formatting import money
from jackpot.ledger import services as ledger
from jackpot.partners import services
from jackpot.partners.models import ApiSignature, LegalInformation, Partner, PartnerUser


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        formfield_callback = _https_urls
        fields = [
            "name",
            "enabled",
            "domains",
            "notification_url",
            "confirmation_mode",
            "sending_enabled",
            "currency",
            "session_ceiling",
        ]


class PartnerUserInline(kit.ReadOnlyInline):
    model = PartnerUser
    fields = ["user", "email", "last_login", "created_at"]
    readonly_fields = fields
    verbose_name = _("portal user")
    verbose_name_plural = _("portal users")

    @admin.display(description=_("e-mail"))
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("last sign-in"))
    def last_login(self, obj):
        return obj.user.last_login


class ApiSignatureInline(kit.ReadOnlyInline):
    model = ApiSignature
    fields = ["masked", "created_at", "valid_until"]
    readonly_fields = fields
    show_change_link = False
    verbose_name = _("apiSignature")
    verbose_name_plural = _("apiSignatures")

    @admin.display(description=_("secret"))
    def masked(self, obj):
        return f"{obj.secret[:4]}••••••••••••"


class LegalInline(admin.StackedInline):
    model = LegalInformation
    can_delete = False
    extra = 0
    max_num = 1
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Partner)
class PartnerAdmin(PartnerTools, admin.ModelAdmin):
    form = PartnerForm
    list_display = [
        "id",
        "name",
        "confirmation_mode",
        "enabled",
        "wallet_balance",
        "users_count",
        "notification_url",
        "created_at",
    ]
    list_display_links = ["id", "name"]
    list_filter = ["enabled", "confirmation_mode", "sending_enabled", "currency"]
    search_fields = ["id", "name", "domains", "notification_url"]
    readonly_fields = ["id", "api_key_hint", "created_at", "wallet_balance"]
    fieldsets = [
        (None, {"fields": ["id", "name", "enabled", "created_at"]}),
        (
            _("Integration"),
            {"fields": ["domains", "notification_url", "confirmation_mode", "sending_enabled"]},
        ),
        (_("Money"), {"fields": ["currency", "session_ceiling", "wallet_balance"]}),
        (
            _("Credentials"),
            {
                "fields": ["api_key_hint"],
                "description": _(
                    "Secrets are never shown here: use the buttons above to issue new ones."
                ),
            },
        ),
    ]
    inlines = [LegalInline, PartnerUserInline, ApiSignatureInline]
    actions = ["enable", "disable"]
    change_form_template = "admin/partners/partner/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # A partner's test twin is its test mode, not a partner: operators never list, bill or
        # credit it (its vouchers show in the voucher list, marked by the twin's name).
        return super().get_queryset(request).live().annotate(users_total=Count("users"))

    @admin.display(description=_("portal users"), ordering="users_total")
    def users_count(self, obj):
        return obj.users_total

    @admin.display(description=_("wallet balance"))
    def wallet_balance(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        status = ledger.wallet_status(obj)
        text = money(status.balance, status.currency)
        return format_html(
            '<span class="jp-money{}">{}</span>', " jp-low" if status.low else "", text
        )

    def has_delete_permission(self, request, obj=None):
        return False  # a partner with history is disabled, never deleted

    @admin.action(description=_("Enable the selected partners"))
    def enable(self, request, queryset):
        _set_enabled(request, queryset, True, "enabled")
        messages.success(request, gettext("Partners enabled."))

    @admin.action(description=_("Disable the selected partners (API, widget and portal stop)"))
    def disable(self, request, queryset):
        _set_enabled(request, queryset, False, "disabled")
        messages.success(request, gettext("Partners disabled."))


def _set_enabled(request, partners, enabled: bool, journal: str) -> None:
    for partner in partners:
        services.set_enabled(partner, enabled)
        kit.log(request, partner, journal)


@admin.register(PartnerUser)
class PartnerUserAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "email", "last_login", "created_at"]
    list_filter = ["partner"]
    search_fields = ["user__username", "user__email", "partner__id", "partner__name"]
    autocomplete_fields = ["partner"]
    raw_id_fields = ["user"]

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("last sign-in"), ordering="user__last_login")
    def last_login(self, obj):
        return obj.user.last_login


@admin.register(LegalInformation)
class LegalInformationAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "company_name",
        "registration_number",
        "vat_number",
        "billing_email",
        "updated_at",
        "updated_by",
    ]
    search_fields = ["partner__id", "company_name", "registration_number", "vat_number"]
    readonly_fields = ["updated_at", "updated_by"]
