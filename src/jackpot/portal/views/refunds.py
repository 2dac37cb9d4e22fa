"""Refunds: request one by couponId, and follow the vouchers being or having been refunded."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jackpot.core.problems import Problem
from jackpot.portal import paging
from jackpot.portal.access import actor, partner_required, partner_vouchers
from jackpot.portal.forms import RefundLookupForm
from jackpot.portal.labels import problem_message
from jackpot.portal.views import NEWEST, PAGE_SIZE
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import REFUND_STATES


@partner_required
def refunds(request):
    form = RefundLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voucher = partner_vouchers(request).filter(coupon_id=form.cleaned_data["coupon_id"]).first()
        if voucher is None:
            form.add_error("coupon_id", _("No voucher of yours has this couponId."))
        else:
            reason = form.cleaned_data["reason"]
            try:
                lifecycle.transition(
                    voucher.pk,
                    "refund",
                    actor(request),
                    partner_id=request.partner.pk,
                    reason=reason,
                )
            except Problem as problem:
                form.add_error("coupon_id", problem_message(problem))
            else:
                messages.success(
                    request, _("Refund of %(coupon)s requested.") % {"coupon": voucher.coupon_id}
                )
                return redirect("portal:refunds")
    # Exactly the partial index `voucher_partner_refunds`'s condition, so that it serves the list.
    vouchers = partner_vouchers(request).filter(state__in=REFUND_STATES)
    page = paging.page(vouchers, NEWEST, request.GET, PAGE_SIZE)
    return render(
        request,
        "portal/refunds.html",
        {"section": "refunds", "form": form, "page": page},
        status=422 if form.errors else 200,
    )


# --- token verifier -------------------------------------------------------------------------
