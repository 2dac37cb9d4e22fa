"""Operator admin: vouchers and their journal, refund decisions, statements and their payment,
code pools (CSV import, stock), merchant keys, delivery jobs.

Vouchers, events and money are read-only here: every change goes through `lifecycle`,
`refunds`, `payments` or `codes`, which keep the journal, the ledger and the outbox in step.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from jackpot.catalog.models import CodeSource, Store
from jackpot.core.problems import Problem
from jackpot.portal import adminkit
from jackpot.vouchers import payments, refunds
from jackpot.vouchers.codes import importing, merchant, pool
from jackpot.vouchers.models import (
    Code,
    DeliveryJob,
    MerchantKey,
    State,
    Statement,
    Voucher,
    VoucherEvent,
)


class VoucherEventInline(adminkit.ReadOnlyInline):
    model = VoucherEvent
    fields = ["at", "actor", "from_state", "to_state", "reason"]
    readonly_fields = fields
    show_change_link = False


class CodeInline(adminkit.ReadOnlyInline):
    model = Code
    fields = ["masked_code", "value", "state", "expiry", "redeemed_at"]
    readonly_fields = fields
    fk_name = "voucher"

    @admin.display(description=_("code"))
    def masked_code(self, obj):
        return f"…{obj.code[-4:]}"


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


@admin.register(Voucher)
class VoucherAdmin(adminkit.ReadOnlyAdmin):
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
    list_filter = ["state", "payment_state", "partner", "store", "mode"]
    search_fields = ["=coupon_id", "notification_key", "user_id", "custom_transaction_id", "=id"]
    date_hierarchy = "reservation_date"
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

    value_money = adminkit.money_column("value", _("value"))
    price_money = adminkit.money_column("price", _("price"))

    @admin.display(description=_("bonus"))
    def bonus_money(self, obj):
        from jackpot.portal.formatting import money

        return money(obj.bonus, obj.currency)

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj):
        return format_html(
            '<span class="jp-state jp-state-{}">{}</span>', obj.state.lower(), obj.state
        )

    def _decide(self, request, queryset, decide, verb):
        """Run a refund decision on each selected voucher, after asking for a reason."""
        form = DecisionForm(request.POST if "_confirm" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            waiting = queryset.filter(state=State.REFUNDING).count()
            return adminkit.form_page(
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
                decide(voucher.pk, adminkit.operator(request), form.cleaned_data["reason"])
            except Problem as problem:
                refused.append(f"{voucher.coupon_id}: {adminkit.problem_text(problem)}")
            else:
                done += 1
                adminkit.log(request, voucher, f"{verb}: {form.cleaned_data['reason'] or '-'}")
        adminkit.report_outcomes(request, done, refused, gettext("%(n)d voucher(s) decided."))
        return None

    @admin.action(description=_("Accept the refund (the store agrees)"))
    def accept_refund(self, request, queryset):
        return self._decide(request, queryset, refunds.accept, gettext("Accept the refund"))

    @admin.action(description=_("Reject the refund (the store refuses)"))
    def reject_refund(self, request, queryset):
        return self._decide(request, queryset, refunds.reject, gettext("Reject the refund"))


@admin.register(VoucherEvent)
class VoucherEventAdmin(adminkit.ReadOnlyAdmin):
    """The journal of every voucher change (who, when, from, to, why)."""

    list_display = ["at", "coupon", "actor", "from_state", "to_state", "reason"]
    list_filter = ["to_state", "from_state"]
    search_fields = ["=voucher__coupon_id", "actor", "reason"]
    date_hierarchy = "at"
    list_select_related = ["voucher"]

    @admin.display(description=_("coupon"), ordering="voucher__coupon_id")
    def coupon(self, obj):
        url = reverse("admin:vouchers_voucher_change", args=[obj.voucher_id])
        return format_html('<a href="{}">{}</a>', url, obj.voucher.coupon_id)


class StatementVoucherInline(adminkit.ReadOnlyInline):
    model = Voucher
    fk_name = "statement"
    fields = ["coupon_id", "store", "confirm_date", "price", "value", "payment_state"]
    readonly_fields = fields


class IssueStatementForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    start = forms.DateField(
        label=_("From (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("To (excluded)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from jackpot.partners.models import Partner

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.all()


class PaymentForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=200)


@admin.register(Statement)
class StatementAdmin(adminkit.ReadOnlyAdmin):
    list_display = [
        "id",
        "partner",
        "period_start",
        "period_end",
        "total_money",
        "issued_at",
        "issued_by",
        "paid",
        "downloads",
    ]
    list_filter = [("paid_at", admin.EmptyFieldListFilter), "partner"]
    search_fields = ["=id", "partner__id", "partner__name", "payment_reference"]
    date_hierarchy = "issued_at"
    inlines = [StatementVoucherInline]
    actions = ["record_payment"]
    change_list_template = "admin/jackpot/change_list_tools.html"

    total_money = adminkit.money_column("total", _("total"))

    @admin.display(description=_("paid"), boolean=True, ordering="paid_at")
    def paid(self, obj):
        return obj.paid_at is not None

    @admin.display(description=_("files"))
    def downloads(self, obj):
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">PDF</a>',
            reverse("admin:vouchers_statement_csv", args=[obj.pk]),
            reverse("admin:vouchers_statement_pdf", args=[obj.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("issue/", view(self.issue_view), name="vouchers_statement_issue"),
            path("<int:statement_id>/csv/", view(self.csv_view), name="vouchers_statement_csv"),
            path("<int:statement_id>/pdf/", view(self.pdf_view), name="vouchers_statement_pdf"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["list_tools"] = [
            (reverse("admin:vouchers_statement_issue"), gettext("Issue a statement"))
        ]
        return super().changelist_view(request, extra_context)

    def issue_view(self, request):
        from datetime import datetime, time

        from django.utils import timezone

        form = IssueStatementForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            tz = timezone.get_current_timezone()
            start = timezone.make_aware(datetime.combine(form.cleaned_data["start"], time.min), tz)
            end = timezone.make_aware(datetime.combine(form.cleaned_data["end"], time.min), tz)
            try:
                statement = payments.issue_statement(
                    form.cleaned_data["partner"], start, end, adminkit.operator(request)
                )
            except Problem as problem:
                form.add_error(None, adminkit.problem_text(problem))
            else:
                adminkit.log(request, statement, "statement issued")
                messages.success(request, gettext("Statement issued."))
                return redirect("admin:vouchers_statement_change", statement.pk)
        return adminkit.form_page(
            request,
            self,
            gettext("Issue a statement"),
            form,
            intro=gettext(
                "Lists the partner's DUE vouchers confirmed in the period; they become WAITING."
            ),
            submit=gettext("Issue"),
        )

    def _file(self, request, statement_id, kind):
        statement = get_object_or_404(Statement, pk=statement_id)
        if kind == "csv":
            response = HttpResponse(
                payments.statement_csv(statement), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                payments.statement_pdf(statement), content_type="application/pdf"
            )
        response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}.{kind}"'
        return response

    def csv_view(self, request, statement_id):
        return self._file(request, statement_id, "csv")

    def pdf_view(self, request, statement_id):
        return self._file(request, statement_id, "pdf")

    @admin.action(description=_("Record the payment of the selected statements"))
    def record_payment(self, request, queryset):
        form = PaymentForm(request.POST if "_confirm" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return adminkit.form_page(
                request,
                self,
                gettext("Record a payment"),
                form,
                intro=gettext(
                    "The partner's bank transfer was received: its vouchers become PAID."
                ),
                submit=gettext("Record the payment"),
            )
        done, refused = 0, []
        for statement in queryset:
            try:
                payments.record_statement_payment(
                    statement,
                    payment_reference=form.cleaned_data["payment_reference"],
                    actor=adminkit.operator(request),
                )
            except Problem as problem:
                refused.append(f"#{statement.pk}: {adminkit.problem_text(problem)}")
            else:
                done += 1
                adminkit.log(
                    request,
                    statement,
                    f"payment recorded: {form.cleaned_data['payment_reference']}",
                )
        adminkit.report_outcomes(request, done, refused, gettext("%(n)d statement(s) marked paid."))
        return None


class CodeImportForm(forms.Form):
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Store.objects.filter(code_source=CodeSource.POOL),
        help_text=_("Only stores whose code source is the imported pool."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Rows code,pin,value,expiry (a header row is optional; expiry YYYY-MM-DD)."),
    )


@admin.register(Code)
class CodeAdmin(adminkit.ReadOnlyAdmin):
    list_display = [
        "masked_code",
        "store",
        "source",
        "value",
        "state",
        "expiry",
        "voucher_link",
        "issued_at",
        "redeemed_at",
    ]
    list_filter = ["state", "source", "store", "expiry"]
    search_fields = ["=code", "=voucher__coupon_id"]
    list_select_related = ["store", "voucher"]
    exclude = ["code", "pin"]
    readonly_fields = [
        "masked_code",
        "store",
        "source",
        "value",
        "currency",
        "expiry",
        "state",
        "voucher",
        "created_at",
        "issued_at",
        "redeemed_at",
        "redeemed_by",
        "voided_at",
    ]
    change_list_template = "admin/jackpot/change_list_tools.html"

    @admin.display(description=_("code"))
    def masked_code(self, obj):
        return (
            f"…{obj.code[-4:]}" if obj.state != "available" else f"{obj.code[:3]}…{obj.code[-2:]}"
        )

    @admin.display(description=_("voucher"))
    def voucher_link(self, obj):
        if obj.voucher_id is None:
            return "—"
        url = reverse("admin:vouchers_voucher_change", args=[obj.voucher_id])
        return format_html('<a href="{}">{}</a>', url, obj.voucher.coupon_id)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="vouchers_code_import"),
            path("stock/", view(self.stock_view), name="vouchers_code_stock"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["list_tools"] = [
            (reverse("admin:vouchers_code_import"), gettext("Import codes (CSV)")),
            (reverse("admin:vouchers_code_stock"), gettext("Stock by store")),
        ]
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not request.user.has_perm("vouchers.add_code") and not request.user.is_superuser:
            return redirect("admin:vouchers_code_changelist")
        initial = {"store": request.GET.get("store")} if request.GET.get("store") else None
        form = CodeImportForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            store = form.cleaned_data["store"]
            raw = form.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8")
                result = importing.add_pool_codes(store, importing.parse_csv(text))
            except UnicodeDecodeError:
                form.add_error("file", gettext("The file is not UTF-8 text."))
            except importing.CodeImportError as exc:
                form.add_error("file", str(exc))
            else:
                adminkit.log(request, store, f"{result.added} pool codes imported")
                messages.success(
                    request,
                    gettext(
                        "%(added)d code(s) added to %(store)s; %(waiting)d voucher(s) awaiting "
                        "codes woken up."
                    )
                    % {
                        "added": result.added,
                        "store": store.name,
                        "waiting": result.awaiting_vouchers,
                    },
                )
                return redirect(
                    reverse("admin:vouchers_code_changelist") + f"?store__id__exact={store.pk}"
                )
        return adminkit.form_page(
            request,
            self,
            gettext("Import codes (CSV)"),
            form,
            intro=gettext("All the file's codes are added, or none: every bad line is named."),
            submit=gettext("Import"),
        )

    def stock_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Code stock by store"),
            "opts": self.model._meta,
            "report": pool.stock_report(only_low=False),
        }
        return TemplateResponse(request, "admin/vouchers/code/stock.html", context)


@admin.register(MerchantKey)
class MerchantKeyAdmin(adminkit.ReadOnlyAdmin):
    list_display = ["hint", "store", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "store"]
    search_fields = ["hint", "store__name"]
    exclude = ["digest"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in merchant.revoke_store_keys(queryset):
            adminkit.log(request, key, "revoked")
        messages.success(request, gettext("Keys revoked."))

    def get_actions(self, request):
        return {k: v for k, v in super().get_actions(request).items() if k != "delete_selected"}


@admin.register(DeliveryJob)
class DeliveryJobAdmin(adminkit.ReadOnlyAdmin):
    """The voucher-delivery outbox (PDF, mail) the worker drains."""

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
    search_fields = ["=voucher__coupon_id", "last_error"]
    list_select_related = ["voucher"]
