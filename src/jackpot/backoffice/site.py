"""The operator admin's frame: its name, the audit logs (admin changes, personal-data
erasures), and users with their partner."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit
from jackpot.partners.models import PartnerUser
from jackpot.vouchers.models import PersonalDataErasure

admin.site.site_header = _("Jackpot operator")
admin.site.site_title = _("Jackpot operator")
admin.site.index_title = _("Operations")
admin.site.index_template = "admin/jackpot/index.html"


@admin.register(LogEntry)
class AuditLogAdmin(kit.ReadOnlyAdmin):
    """Who changed what in the admin (Django's own log, plus the actions that call services)."""

    list_display = [
        "action_time",
        "user",
        "content_type",
        "object_repr",
        "action_flag",
        "change_message",
    ]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]


@admin.register(PersonalDataErasure)
class PersonalDataErasureAdmin(kit.ReadOnlyAdmin):
    """Every erasure of personal data (`vouchers.personal_data`): who, when, how much; never
    the data itself (a request's user is a keyed digest, to tell two requests for one user)."""

    list_display = [
        "at",
        "partner",
        "actor",
        "reason",
        "vouchers",
        "sessions",
        "notifications",
        "subject_digest",
    ]
    list_filter = ["reason"]
    search_fields = ["=partner__id", "=subject_digest", "actor"]
    date_hierarchy = "at"
    list_select_related = ["partner"]


class PartnerProfileInline(admin.StackedInline):
    model = PartnerUser
    can_delete = True
    max_num = 1
    extra = 0
    verbose_name = _("partner (portal access)")
    verbose_name_plural = _("partner (portal access)")
    autocomplete_fields = ["partner"]
    fields = ["partner"]


admin.site.unregister(User)


@admin.register(User)
class JackpotUserAdmin(UserAdmin):
    inlines = [PartnerProfileInline]
    list_display = [
        "username",
        "email",
        "partner",
        "is_staff",
        "is_superuser",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "partner_profile__partner"]
    list_select_related = ["partner_profile__partner"]

    @admin.display(description=_("partner"), ordering="partner_profile__partner")
    def partner(self, obj):
        profile = getattr(obj, "partner_profile", None)
        return profile.partner if profile else "—"
