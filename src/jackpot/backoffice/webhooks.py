"""Operator admin: the notification outbox, deliveries with every attempt, partners' endpoints.

Re-sending and re-enabling go through `webhooks.services`, the same calls as the CLI.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit, lists
from jackpot.webhooks import services
from jackpot.webhooks.models import Attempt, Delivery, Endpoint, OutboxEvent
from jackpot.webhooks.outbox import EVENTS


class AttemptInline(kit.ReadOnlyInline):
    model = Attempt
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    readonly_fields = fields
    show_change_link = False


class DeliveryInline(kit.ReadOnlyInline):
    model = Delivery
    fields = ["url", "status", "attempts", "last_status_code", "next_attempt_at", "delivered_at"]
    readonly_fields = fields


EVENT_CHOICES = [(event, event) for event in EVENTS]


@admin.register(Delivery)
class DeliveryAdmin(lists.BigList, kit.ReadOnlyAdmin):
    """Deliveries newest first: the primary key grows with time, so its index is the order."""

    list_display = [
        "id",
        "partner",
        "event_type",
        "status_badge",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = [
        "status",
        "partner",
        lists.choices_filter("event__event", _("event"), EVENT_CHOICES),
    ]
    search_fields = ["=id", "=event__id", "=event__notification_key", "=event__request_id"]
    search_help_text = _(
        "An exact delivery id, event id, notificationKey, or the id of the request that wrote "
        "it (several: separated by spaces)."
    )
    ordering = ["-id"]
    sortable_by = ["id"]
    list_select_related = ["event", "partner"]
    inlines = [AttemptInline]
    actions = ["resend"]
    exclude = ["lease_token", "locked_until"]

    @admin.display(description=_("event"), ordering="event__event")
    def event_type(self, obj):
        return obj.event.event

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="jp-delivery jp-delivery-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.action(description=_("Re-send the selected notifications now"))
    def resend(self, request, queryset):
        done, refused = 0, []
        for delivery in queryset:
            try:
                services.resend(delivery.pk)
            except services.ResendError as exc:
                refused.append(f"#{delivery.pk}: {exc}")
            else:
                done += 1
                kit.log(request, delivery, "re-sent")
        kit.report_outcomes(request, done, refused, gettext("%(n)d notification(s) queued again."))


@admin.register(OutboxEvent)
class OutboxEventAdmin(lists.BigList, kit.ReadOnlyAdmin):
    list_display = ["created_at", "event", "partner", "notification_key", "id"]
    list_filter = [lists.choices_filter("event", _("event"), EVENT_CHOICES), "partner"]
    search_fields = ["=id", "=notification_key", "=request_id"]
    search_help_text = _(
        "An exact event id, notificationKey, or the id of the request that wrote it "
        "(several: separated by spaces)."
    )
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]  # the created_at index
    sortable_by = ["created_at"]
    list_select_related = ["partner"]
    inlines = [DeliveryInline]


@admin.register(Endpoint)
class EndpointAdmin(kit.ReadOnlyAdmin):
    list_display = [
        "partner",
        "disabled",
        "disabled_at",
        "disabled_reason",
        "secret_rotated_at",
        "previous_secret_expires_at",
    ]
    list_filter = [("disabled_at", admin.EmptyFieldListFilter)]
    search_fields = ["partner__id", "partner__name"]
    exclude = ["previous_secret"]
    actions = ["enable", "resend_failed"]

    @admin.display(description=_("disabled"), boolean=True)
    def disabled(self, obj):
        return obj.disabled

    @admin.action(description=_("Re-enable the selected endpoints"))
    def enable(self, request, queryset):
        for endpoint in queryset:
            services.enable_endpoint(endpoint.partner_id)
            kit.log(request, endpoint, "re-enabled")
        kit.report_outcomes(request, queryset.count(), [], gettext("%(n)d endpoint(s) re-enabled."))

    @admin.action(description=_("Re-send every failed notification of the selected partners"))
    def resend_failed(self, request, queryset):
        total = sum(services.resend_failed(endpoint.partner_id) for endpoint in queryset)
        kit.report_outcomes(request, total, [], gettext("%(n)d notification(s) queued again."))
