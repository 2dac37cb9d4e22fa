"""Operator admin: vouchers and their journal, refund decisions, delivery jobs.

Vouchers and events are read-only here: every change goes through `lifecycle` and `refunds`,
which keep the journal, the ledger and the outbox in step.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit, lists
from jackpot.catalog.models import CampaignMode
from jackpot.core.formatting import money
from jackpot.core.problems import Problem
from jackpot.vouchers import journal, refunds
from jackpot.vouchers.models import Code, DeliveryJob, State, Voucher, VoucherEvent


class JournalColumns:
    """The journal's "who" and "what" in the operator's language (`vouchers.journal`)."""

    @admin.display(description=_("who"), ordering="actor")
    def who(self, obj):
        return format_html(
            '<span title="{}">{}</span>',
            obj.actor,
            journal.actor_label(obj.actor, journal.OPERATOR),
        )

    @admin.display(description=_("what happened"), ordering="code")
    def what(self, obj):
        return journal.message(obj.code, obj.params) or "—"


class VoucherEventInline(JournalColumns, kit.ReadOnlyInline):
    model = VoucherEvent
    fields = ["at", "who", "from_state", "to_state", "what", "reason"]
    readonly_fields = fields
    show_change_link = False


class CodeInline(kit.ReadOnlyInline):
    model = Code
    fields = ["masked_code", "value", "state", "expiry", "redeemed_at"]
    readonly_fields = fields
    fk_name = "voucher"

    @admin.display(description=_("code"))
    def masked_code(self, obj):
        return f"…{obj.code[-4:]}"


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


# What a voucher's `mode` may hold: a mixed campaign's voucher is one or the other.
VOUCHER_MODES = [(m.value, m.label) for m in CampaignMode if m != CampaignMode.MIXED]
STATES = State.choices


@admin.register(Voucher)
class VoucherAdmin(lists.BigList, kit.ReadOnlyAdmin):
    list_display = [
        "coupon_id",
        "partner",
        "store",
        "state_badge",
        "value_money",
        "price_money",
        "bonus_money",
        "payment_state",
        "reservation_date",
    ]
    list_filter = [
        "state",
        "payment_state",
        "partner",
        "store",
        lists.choices_filter("mode", _("mode"), VOUCHER_MODES),
    ]
    search_fields = ["=coupon_id", "=id", "=notification_key", "=user_id"]
    search_help_text = _(
        "An exact couponId, voucher id, notificationKey or userId (several: separated by spaces)."
    )
    date_hierarchy = "reservation_date"
    ordering = ["-reservation_date", "-id"]  # index voucher_reservation
    sortable_by = ["reservation_date"]
    list_select_related = ["partner", "store"]
    inlines = [VoucherEventInline, CodeInline]
    actions = ["accept_refund", "reject_refund"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "coupon_id",
                    "state",
                    "partner",
                    "store",
                    "campaign",
                    "offer_id",
                    "mode",
                ]
            },
        ),
        (
            _("Money"),
            {
                "fields": [
                    "value",
                    "price",
                    "rate",
                    "currency",
                    "payment_state",
                    "wallet_operation_id",
                    "statement",
                ]
            },
        ),
        (
            _("Partner references"),
            {
                "fields": [
                    "notification_key",
                    "user_id",
                    "custom_transaction_id",
                    "email",
                    "session",
                    "personal_data_erased_at",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    "reservation_date",
                    "resa_expire_date",
                    "confirm_date",
                    "ready_date",
                    "send_date",
                    "canceled_date",
                    "expired_date",
                    "validity_date",
                ]
            },
        ),
    ]

    value_money = kit.money_column("value", _("value"))
    price_money = kit.money_column("price", _("price"))

    @admin.display(description=_("bonus"))
    def bonus_money(self, obj):
        return money(obj.bonus, obj.currency)

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj):
        return format_html(
            '<span class="jp-state jp-state-{}">{}</span>', obj.state.lower(), obj.state
        )

    def _decide(self, request, queryset, decide, verb):
        """Run a refund decision on each selected voucher, after asking for a reason."""
        form, confirmed = kit.confirmation(request, DecisionForm)
        if not confirmed:
            waiting = queryset.filter(state=State.REFUNDING).count()
            return kit.form_page(
                request,
                self,
                gettext("Refund decision"),
                form,
                intro=ngettext(
                    "%(n)d selected voucher is waiting for a refund decision.",
                    "%(n)d selected vouchers are waiting for a refund decision.",
                    waiting,
                )
                % {"n": waiting},
                submit=verb,
            )
        done, refused = 0, []
        for voucher in queryset:
            try:
                decide(voucher.pk, kit.operator(request), form.cleaned_data["reason"])
            except Problem as problem:
                refused.append(f"{voucher.coupon_id}: {kit.problem_text(problem)}")
            else:
                done += 1
                kit.log(request, voucher, f"{verb}: {form.cleaned_data['reason'] or '-'}")
        kit.report_outcomes(request, done, refused, gettext("%(n)d voucher(s) decided."))
        return None

    @admin.action(description=_("Accept the refund (the store agrees)"))
    def accept_refund(self, request, queryset):
        return self._decide(request, queryset, refunds.accept, gettext("Accept the refund"))

    @admin.action(description=_("Reject the refund (the store refuses)"))
    def reject_refund(self, request, queryset):
        return self._decide(request, queryset, refunds.reject, gettext("Reject the refund"))


class FromStateFilter(admin.SimpleListFilter):
    """The state an event left, the reservation (from no state) named rather than blank; the
    choices are the code's, never a `DISTINCT` over the journal."""

    title = _("from state")
    parameter_name = "from_state"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [(self.NONE, _("none (the reservation)")), *STATES]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(from_state="" if value == self.NONE else value)


@admin.register(VoucherEvent)
class VoucherEventAdmin(lists.BigList, JournalColumns, kit.ReadOnlyAdmin):
    """The journal of every voucher change (who, when, from, to, what), newest first: the
    primary key grows with time, so its index is the list's order."""

    list_display = ["at", "coupon", "who", "from_state", "to_state", "what", "reason"]
    list_filter = [
        lists.choices_filter("to_state", _("to state"), STATES),
        FromStateFilter,
    ]
    fields = ["voucher", "at", "who", "actor", "from_state", "to_state", "what", "reason"]
    readonly_fields = fields
    search_fields = ["=voucher__coupon_id", "=voucher__id"]
    search_help_text = _("A voucher's exact couponId or id (several: separated by spaces).")
    ordering = ["-id"]
    list_select_related = ["voucher"]

    @admin.display(description=_("coupon"), ordering="voucher__coupon_id")
    def coupon(self, obj):
        url = reverse("admin:vouchers_voucher_change", args=[obj.voucher_id])
        return format_html('<a href="{}">{}</a>', url, obj.voucher.coupon_id)


@admin.register(DeliveryJob)
class DeliveryJobAdmin(lists.BigList, kit.ReadOnlyAdmin):
    """The voucher-delivery outbox (PDF, mail) the worker drains, newest first (primary key)."""

    list_display = [
        "voucher",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "done_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["=voucher__coupon_id", "=voucher__id", "=request_id"]
    search_help_text = _(
        "A voucher's exact couponId or id, or the id of the request that wrote the job "
        "(several: separated by spaces)."
    )
    ordering = ["-id"]
    list_select_related = ["voucher"]
