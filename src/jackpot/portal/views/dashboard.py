"""The dashboard: the period's totals and charts, what waits for the partner, its wallet.

Each chart comes twice, wide and narrow (fewer day labels; store names above their bars), and
the page shows the one that fits its box (a CSS container query): an SVG scaled down to a phone
would have unreadable text, one kept at its size would run off the screen.
"""

from functools import partial

from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jackpot.ledger import services as ledger
from jackpot.portal import charts, stats
from jackpot.portal.access import partner_required, partner_vouchers

# The charts' series colours; the legends beside them use the same.
COLORS = {"count": "#6d4aff", "converted": "#1f7a8c", "bonus": "#f2a541"}


@partner_required
def dashboard(request):
    partner = request.partner
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in stats.PERIODS else 30
    first, last, day_list = stats.period(days)
    per_day = stats.by_day(partner, first, last, day_list)
    per_store = stats.by_store(partner, first, last)
    labels = [
        date_format(d.day, "d/m" if request.LANGUAGE_CODE == "fr" else "j M") for d in per_day
    ]
    currency = partner.currency
    count_chart = _both(
        charts.column_chart,
        labels,
        [charts.Series(_("Vouchers"), COLORS["count"], [d.vouchers for d in per_day])],
        aria_label=_("Vouchers confirmed per day"),
        width=480,
        integers=True,
        narrow={"width": 320, "max_labels": 4},
    )
    amount_chart = _both(
        charts.column_chart,
        labels,
        [
            charts.Series(
                _("Converted"), COLORS["converted"], [d.converted for d in per_day], currency
            ),
            charts.Series(_("Bonus"), COLORS["bonus"], [d.bonus for d in per_day], currency),
        ],
        aria_label=_("Amounts converted and bonus given per day"),
        width=480,
        narrow={"width": 320, "max_labels": 4},
    )
    store_chart = _both(
        charts.bar_chart,
        [s.store_name for s in per_store],
        [
            charts.Series(
                _("Converted"), COLORS["converted"], [s.converted for s in per_store], currency
            ),
            charts.Series(_("Bonus"), COLORS["bonus"], [s.bonus for s in per_store], currency),
        ],
        notes=[
            ngettext("%(n)d voucher", "%(n)d vouchers", s.vouchers) % {"n": s.vouchers}
            for s in per_store
        ],
        aria_label=_("Amounts converted and bonus given per store"),
        narrow={"width": 320, "labels_above": True},
    )
    return render(
        request,
        "portal/dashboard.html",
        {
            "section": "dashboard",
            "days": days,
            "periods": stats.PERIODS,
            "totals": stats.totals(partner, first, last),
            "per_day": per_day,
            "per_store": per_store,
            "count_chart": count_chart,
            "amount_chart": amount_chart,
            "store_chart": store_chart,
            "colors": COLORS,
            "pending": stats.pending_count(partner),
            "refunding": stats.refunding_count(partner),
            "wallet": ledger.wallet_status(partner),
            "recent": partner_vouchers(request).order_by("-reservation_date", "-id")[:6],
        },
    )


def _both(chart, *args, narrow: dict, **kwargs) -> dict:
    """The chart as wide as the template's box on a computer, and narrow for a phone."""
    make = partial(chart, *args, **kwargs)
    return {"wide": make(), "narrow": make(**narrow)}
