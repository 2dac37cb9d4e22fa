"""Operator admin: the ledger, read-only (money moves only through `ledger.services`)."""

from django.contrib import admin
from django.db.models import Q, Sum
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit
from jackpot.core.formatting import money
from jackpot.core.money import exact
from jackpot.ledger.models import Account, Entry, Transaction  # entries: inline in transactions


class EntryInline(kit.ReadOnlyInline):
    model = Entry
    fields = ["account", "amount"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Transaction)
class TransactionAdmin(kit.ReadOnlyAdmin):
    list_display = ["created_at", "kind", "reference", "amount", "created_by", "description"]
    list_filter = ["kind", "created_by"]
    search_fields = ["=id", "reference", "description", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(moved=Sum("entries__amount", filter=Q(entries__amount__gt=0)))
        )

    @admin.display(description=_("amount"), ordering="moved")
    def amount(self, obj):
        return format_html('<span class="jp-money">{}</span>', money(obj.moved or 0))


@admin.register(Account)
class AccountAdmin(kit.ReadOnlyAdmin):
    list_display = ["code", "kind", "partner", "currency", "balance", "low_balance_threshold"]
    list_filter = ["kind", "currency"]
    search_fields = ["code", "partner__id", "partner__name"]

    def get_queryset(self, request):
        # The running balance: a few rows per account (ledger.models), never its entries.
        return super().get_queryset(request).annotate(held=Sum("balances__amount"))

    @admin.display(description=_("balance"), ordering="held")
    def balance(self, obj):
        value = exact(obj.held)
        low = obj.low_balance_threshold is not None and value < obj.low_balance_threshold
        return format_html(
            '<span class="jp-money{}">{}</span>',
            " jp-low" if low else "",
            money(value, obj.currency),
        )
