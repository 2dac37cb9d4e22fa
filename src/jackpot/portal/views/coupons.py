"""Coupons: the list and its CSV export, the vouchers waiting for confirmation, one voucher's page
with its journal and notifications, and the lifecycle actions the partner may take on it.
"""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jackpot.core.problems import Problem
from jackpot.portal import exports, paging, services
from jackpot.portal.access import actor, partner_required, partner_voucher, partner_vouchers
from jackpot.portal.forms import BulkActionForm, CouponFilterForm, RefundForm
from jackpot.portal.labels import DELIVERY_LABELS, problem_message
from jackpot.portal.views import NEWEST, PAGE_SIZE
from jackpot.vouchers import journal, lifecycle, links
from jackpot.vouchers.models import State, Voucher
from jackpot.webhooks import services as webhooks
from jackpot.webhooks.models import Delivery

# The pending list: the reservation expiring first comes first.
EXPIRING_FIRST = paging.Order("resa_expire_date", newest_first=False)


@partner_required
def coupons(request):
    form = CouponFilterForm(request.GET or None)
    page = paging.page(form.apply(partner_vouchers(request)), NEWEST, request.GET, PAGE_SIZE)
    return render(
        request,
        "portal/coupons.html",
        {"section": "coupons", "form": form, "page": page, "filtered": form.active()},
    )


@partner_required
def coupons_csv(request):
    """The filtered list as CSV, streamed; refused above the export bound (`portal.exports`)."""
    form = CouponFilterForm(request.GET or None)
    vouchers = form.apply(partner_vouchers(request))
    if exports.too_large(vouchers):
        messages.error(
            request,
            _(
                "This export would hold more than %(limit)s coupons, the most one file may "
                "hold. Narrow it (a shorter period of reservation dates, a state or a store) "
                "and export it in parts."
            )
            % {"limit": number_format(exports.max_rows(), force_grouping=True)},
        )
        return redirect(f"{reverse('portal:coupons')}?{request.GET.urlencode()}")
    response = StreamingHttpResponse(
        exports.stream(vouchers), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    mode = "-test" if request.partner.is_test else ""  # the export follows the live/test switch
    response["Content-Disposition"] = (
        f'attachment; filename="coupons-{request.partner.live_id}{mode}-{stamp}.csv"'
    )
    return response


@partner_required
def pending(request):
    if request.method == "POST":
        form = BulkActionForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            reason = form.cleaned_data["reason"]
            outcome = services.apply_to_many(
                request.partner, form.voucher_ids, action, actor(request), reason
            )
            if outcome.done:
                text = (
                    ngettext(
                        "%(n)d voucher confirmed.", "%(n)d vouchers confirmed.", len(outcome.done)
                    )
                    if action == "confirm"
                    else ngettext(
                        "%(n)d voucher canceled.", "%(n)d vouchers canceled.", len(outcome.done)
                    )
                )
                messages.success(request, text % {"n": len(outcome.done)})
            for voucher_id, problem in outcome.refused:
                coupon = (
                    Voucher.objects.filter(pk=voucher_id, partner=request.partner)
                    .values_list("coupon_id", flat=True)
                    .first()
                )
                messages.error(request, f"{coupon or voucher_id}: {problem_message(problem)}")
            return redirect("portal:pending")
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("portal:pending")
    vouchers = partner_vouchers(request).filter(state=State.RESERVED)
    page = paging.page(vouchers, EXPIRING_FIRST, request.GET, 50)
    return render(
        request,
        "portal/pending.html",
        {"section": "pending", "page": page, "now": timezone.now()},
    )


@partner_required
def coupon(request, voucher_id):
    voucher = partner_voucher(request, voucher_id)
    events = webhooks.events_for_key(request.partner.pk, voucher.notification_key)
    notifications = []
    for event in events:
        for delivery in event.deliveries.all():
            notifications.append(
                {
                    "event": event,
                    "delivery": delivery,
                    "status": DELIVERY_LABELS.get(delivery.status, delivery.status),
                    "attempts": list(delivery.attempt_log.all()),
                }
            )
        if not event.deliveries.all():
            notifications.append({"event": event, "delivery": None, "attempts": []})
    return render(
        request,
        "portal/coupon.html",
        {
            "section": "coupons",
            "voucher": voucher,
            "journal": journal.entries(voucher.events.all(), journal.PARTNER),
            "notifications": notifications,
            "pdf_path": links.path(voucher.pk) if voucher.state in links.WITH_PDF else None,
            "refund_form": RefundForm(),
            # Which actions the lifecycle allows from this state (its table decides, not the page).
            "can_confirm": voucher.state in lifecycle.TRANSITIONS["confirm"][0],
            "can_cancel": voucher.state in lifecycle.TRANSITIONS["cancel"][0],
            "can_refund": voucher.state in lifecycle.TRANSITIONS["refund"][0],
        },
    )


def _transition(request, voucher_id, action, reason, done_message):
    voucher = partner_voucher(request, voucher_id)  # 404 for another partner's voucher
    try:
        lifecycle.transition(
            voucher.pk, action, actor(request), partner_id=request.partner.pk, reason=reason
        )
    except Problem as problem:
        messages.error(request, problem_message(problem))
    else:
        messages.success(request, done_message % {"coupon": voucher.coupon_id})
    return redirect("portal:coupon", voucher_id=voucher.pk)


@partner_required
@require_POST
def coupon_confirm(request, voucher_id):
    return _transition(request, voucher_id, "confirm", "", _("%(coupon)s confirmed."))


@partner_required
@require_POST
def coupon_cancel(request, voucher_id):
    return _transition(request, voucher_id, "cancel", "", _("%(coupon)s canceled."))


@partner_required
@require_POST
def coupon_refund(request, voucher_id):
    form = RefundForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(request, voucher_id, "refund", reason, _("Refund of %(coupon)s requested."))


@partner_required
@require_POST
def coupon_resend(request, voucher_id, delivery_id):
    voucher = partner_voucher(request, voucher_id)
    delivery = get_object_or_404(
        Delivery,
        pk=delivery_id,
        partner=request.partner,
        event__notification_key=voucher.notification_key,
    )
    try:
        webhooks.resend(delivery.pk, partner=request.partner)
    except webhooks.ResendError as exc:
        messages.error(request, _("Not re-sent: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("The notification is queued and will be sent again shortly."))
    return redirect(reverse("portal:coupon", args=[voucher.pk]) + "#notifications")


# --- refunds --------------------------------------------------------------------------------
