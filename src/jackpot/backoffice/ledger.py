"""Operator admin: the ledger, read-only (money moves only through `ledger.services`)."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery, Sum
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit, lists
from jackpot.core.formatting import money
from jackpot.core.money import exact
from jackpot.ledger.models import Account, Entry, Transaction  # entries: inline in transactions


class EntryInline(kit.ReadOnlyInline):
    model = Entry
    fields = ["account", "amount"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Transaction)
class TransactionAdmin(lists.BigList, kit.ReadOnlyAdmin):
    list_display = ["created_at", "kind", "reference", "amount", "created_by", "description"]
    list_filter = ["kind"]
    search_fields = ["=id", "=reference", "=idempotency_key"]
    search_help_text = _(
        "An exact transaction id, reference (voucher:<id>, statement:<id>…) or Idempotency-Key "
        "(several: separated by spaces)."
    )
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]  # the created_at index
    sortable_by = ["created_at"]
    inlines = [EntryInline]

    def get_queryset(self, request):
        # A sum per shown row (the entries' index), not a join grouped over the whole ledger.
        moved = (
            Entry.objects.filter(transaction=OuterRef("pk"), amount__gt=0)
            .order_by()
            .values("transaction")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return super().get_queryset(request).annotate(moved=Subquery(moved))

    @admin.display(description=_("amount"))
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
