"""Operator admin: code pools (CSV import, stock by store) and merchant keys.

Codes are read-only here: imports, stock and key revocation go through `vouchers.codes`.
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit, lists
from jackpot.catalog.models import CodeSource, Store
from jackpot.vouchers.codes import importing, merchant, pool
from jackpot.vouchers.models import Code, MerchantKey


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
class CodeAdmin(kit.ListTools, lists.BigList, kit.ReadOnlyAdmin):
    """Codes newest first: the primary key grows with time, so its index is the order."""

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
    list_filter = [
        "state",
        lists.choices_filter("source", _("source"), CodeSource.choices),
        "store",
        "expiry",
    ]
    search_fields = ["=code", "=voucher__coupon_id"]
    search_help_text = _(
        "An exact code, or the couponId of the voucher carrying it (several: separated by spaces)."
    )
    ordering = ["-id"]
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
    list_tools = (
        ("admin:vouchers_code_import", _("Import codes (CSV)")),
        ("admin:vouchers_code_stock", _("Stock by store")),
    )

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
                kit.log(request, store, f"{result.added} pool codes imported")
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
        return kit.form_page(
            request,
            self,
            gettext("Import codes (CSV)"),
            form,
            intro=gettext("All the file's codes are added, or none: every bad line is named."),
            submit=gettext("Import"),
        )

    def stock_view(self, request):
        return kit.page(
            request,
            self,
            "admin/vouchers/code/stock.html",
            gettext("Code stock by store"),
            report=pool.stock_report(only_low=False),
        )


@admin.register(MerchantKey)
class MerchantKeyAdmin(kit.ReadOnlyAdmin):
    list_display = ["hint", "store", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "store"]
    search_fields = ["hint", "store__name"]
    exclude = ["digest"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in merchant.revoke_store_keys(queryset):
            kit.log(request, key, "revoked")
        messages.success(request, gettext("Keys revoked."))

    def get_actions(self, request):
        return {k: v for k, v in super().get_actions(request).items() if k != "delete_selected"}
