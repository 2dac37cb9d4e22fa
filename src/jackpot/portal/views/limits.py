"""Abuse limits: the partner's limits, what they refused, and its users nearest them.

Read-only here: the operator sets the limits (admin, `jackpot partner limits`), so that a
partner account taken over cannot lift them.
"""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jackpot.limits import report
from jackpot.partners.limits import limits_of
from jackpot.portal.access import partner_required


@partner_required
def limits(request):
    partner = request.partner
    now = timezone.now()
    current = limits_of(partner)
    refusals = report.refusals(partner.pk, now)
    monthly = current.per_user_month is not None or current.amount_per_user_month is not None
    nearest = [
        (
            _("Nearest the daily limit today"),
            report.nearest_today(partner.pk, current, now),
            _("No user has a voucher today.")
            if current.per_user_day
            else _("No daily limit per userId is set."),
            False,
        ),
        (
            _("Nearest a monthly limit this month"),
            report.nearest_this_month(partner.pk, current, now),
            _("No user has a voucher this month.")
            if monthly
            else _("No monthly limit per userId is set."),
            True,
        ),
    ]
    return render(
        request,
        "portal/limits.html",
        {
            "section": "limits",
            "limits": current,
            "refusals": refusals,
            "refusal_totals": [
                (label[:1].upper() + label[1:], total)
                for (_kind, label), total in zip(refusals.kinds, refusals.totals, strict=True)
            ],
            "days_shown": report.DAYS_SHOWN,
            "nearest": nearest,
        },
    )
