"""The wallet: balance, low-balance warning, its entries, statements and their downloads."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jackpot.core.downloads import attachment
from jackpot.ledger import services as ledger
from jackpot.portal import paging
from jackpot.portal.access import partner_required
from jackpot.portal.forms import ThresholdForm
from jackpot.portal.labels import TRANSACTION_LABELS
from jackpot.portal.views import PAGE_SIZE
from jackpot.vouchers import payments
from jackpot.vouchers.models import Statement, Voucher

# Newest first, each list a page at a time (`portal.paging`): the wallet's movements, by their
# time (`ledger_entry_account_time`), and the statements (`statement_partner_newest`).
MOVEMENTS = paging.Order("created_at", key_type=int)
STATEMENTS = paging.Order("issued_at", key_type=int)


@partner_required
def wallet(request):
    partner = request.partner
    account = ledger.wallet_account(partner)
    form = ThresholdForm(request.POST or None, initial={"threshold": account.low_balance_threshold})
    if request.method == "POST" and partner.is_test:
        messages.error(request, _("Test mode has no wallet: switch to live mode to change it."))
        return redirect("portal:wallet")
    if request.method == "POST" and form.is_valid():
        ledger.set_low_balance_threshold(partner, form.cleaned_data["threshold"])
        messages.success(request, _("Low-balance warning saved."))
        return redirect("portal:wallet")
    page = paging.page(ledger.entries_newest_first(account), MOVEMENTS, request.GET, PAGE_SIZE)
    statements = paging.page(
        Statement.objects.filter(partner=partner), STATEMENTS, request.GET, 12, "statements_"
    )
    references = {entry.pk: payments.voucher_id_of(entry.transaction.reference) for entry in page}
    coupons = dict(
        Voucher.objects.filter(
            partner=partner, pk__in=[v for v in references.values() if v]
        ).values_list("pk", "coupon_id")
    )
    rows = [
        {
            "entry": entry,
            "kind": TRANSACTION_LABELS.get(entry.transaction.kind, entry.transaction.kind),
            "voucher_id": references[entry.pk],
            "coupon_id": coupons.get(references[entry.pk]),
        }
        for entry in page
    ]
    return render(
        request,
        "portal/wallet.html",
        {
            "section": "wallet",
            "status": ledger.wallet_status(partner),
            "form": form,
            "page": page,
            "rows": rows,
            "statements": statements,
            "topup": {
                "holder": settings.JACKPOT_TOPUP_ACCOUNT_HOLDER,
                "iban": settings.JACKPOT_TOPUP_IBAN,
                "bic": settings.JACKPOT_TOPUP_BIC,
                "reference": f"JACKPOT-{partner.live_id}".upper(),
            },
        },
        status=422 if form.errors else 200,
    )


def _statement(request, statement_id) -> Statement:
    return get_object_or_404(Statement, pk=statement_id, partner=request.partner)


def _statement_file(request, statement_id, kind: str):
    statement = _statement(request, statement_id)
    content, content_type = payments.statement_file(statement, kind)
    return attachment(content, content_type, f"statement-{statement.pk}.{kind}")


@partner_required
def statement_csv(request, statement_id):
    return _statement_file(request, statement_id, "csv")


@partner_required
def statement_pdf(request, statement_id):
    return _statement_file(request, statement_id, "pdf")
