"""Operator admin: statements (issue one for a period, record their payment, download them).

Statements and the money in them are read-only here: issuing and paying go through
`vouchers.payments`, which keeps vouchers, the ledger and the journal in step.
"""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit
from jackpot.core.downloads import attachment
from jackpot.core.periods import whole_days
from jackpot.core.problems import Problem
from jackpot.vouchers import payments
from jackpot.vouchers.models import Statement, Voucher


class StatementVoucherInline(kit.ReadOnlyInline):
    model = Voucher
    fk_name = "statement"
    fields = ["coupon_id", "store", "confirm_date", "price", "value", "payment_state"]
    readonly_fields = fields


class PeriodForm(forms.Form):
    """A statement's period: its first and last day, both included (`core.periods`), as the
    CLI's --from/--to, the portal and the statement PDF write it."""

    start = forms.DateField(
        label=_("From (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> tuple[datetime, datetime]:
        return whole_days(self.cleaned_data["start"], self.cleaned_data["end"])


class IssueStatementForm(PeriodForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    field_order = ["partner", "start", "end"]

    def __init__(self, *args, **kwargs):
        from jackpot.partners.models import Partner

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.live()  # test mode is never billed


class PaymentForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=200)


def issue_page(request, model_admin, form: PeriodForm, partner=None):
    """The statement tool, for `partner` (a partner's page) or for the one the form names."""
    if request.method == "POST" and form.is_valid():
        start, end = form.period()
        try:
            statement = payments.issue_statement(
                partner or form.cleaned_data["partner"], start, end, kit.operator(request)
            )
        except Problem as problem:
            form.add_error(None, kit.problem_text(problem))
        else:
            kit.log(request, statement, "statement issued")
            messages.success(request, gettext("Statement issued."))
            return redirect("admin:vouchers_statement_change", statement.pk)
    return kit.form_page(
        request,
        model_admin,
        gettext("Issue a statement"),
        form,
        obj=partner,
        intro=gettext(
            "Lists the partner's DUE vouchers confirmed in the period; they become WAITING."
        ),
        submit=gettext("Issue"),
    )


@admin.register(Statement)
class StatementAdmin(kit.ListTools, kit.ReadOnlyAdmin):
    list_display = [
        "id",
        "partner",
        "period",
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
    list_tools = (("admin:vouchers_statement_issue", _("Issue a statement")),)

    total_money = kit.money_column("total", _("total"))

    @admin.display(description=_("period (days included)"), ordering="period_start")
    def period(self, obj):
        return f"{date_format(obj.first_day)} – {date_format(obj.last_day)}"

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

    def issue_view(self, request):
        return issue_page(request, self, IssueStatementForm(request.POST or None))

    def _file(self, request, statement_id, kind):
        statement = get_object_or_404(Statement, pk=statement_id)
        content, content_type = payments.statement_file(statement, kind)
        return attachment(content, content_type, f"statement-{statement.pk}.{kind}")

    def csv_view(self, request, statement_id):
        return self._file(request, statement_id, "csv")

    def pdf_view(self, request, statement_id):
        return self._file(request, statement_id, "pdf")

    @admin.action(description=_("Record the payment of the selected statements"))
    def record_payment(self, request, queryset):
        form, confirmed = kit.confirmation(request, PaymentForm)
        if not confirmed:
            return kit.form_page(
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
                    actor=kit.operator(request),
                )
            except Problem as problem:
                refused.append(f"#{statement.pk}: {kit.problem_text(problem)}")
            else:
                done += 1
                kit.log(
                    request,
                    statement,
                    f"payment recorded: {form.cleaned_data['payment_reference']}",
                )
        kit.report_outcomes(request, done, refused, gettext("%(n)d statement(s) marked paid."))
        return None
