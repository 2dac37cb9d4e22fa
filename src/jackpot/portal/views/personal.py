"""Personal data: what is held about one of the partner's users, as JSON to download, and its
erasure, confirmed in a second step (SPEC §13; `vouchers.personal_data` decides everything).

The userId travels in the query string of the page and of the download (a GET that changes
nothing) and in the body of the erasure (a POST with its CSRF token); the logs keep neither
(`core.redaction`).
"""

import json

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jackpot.core.downloads import attachment
from jackpot.portal.access import actor, partner_required
from jackpot.portal.forms import PersonalDataForm
from jackpot.tokens.models import Session
from jackpot.vouchers import personal_data, personal_report
from jackpot.vouchers.models import PersonalDataErasure, Voucher


def _page(request, form, status=200, **extra):
    context = {
        "section": "personal",
        "form": form,
        "retention_days": settings.JACKPOT_PERSONAL_DATA_RETENTION_DAYS,
        "erasures": PersonalDataErasure.objects.filter(partner=request.partner)[:10],
        **extra,
    }
    return render(request, "portal/personal_data.html", context, status=status)


def _held(request, user_id: str) -> dict:
    report = personal_report.held_about(request.partner, user_id)
    vouchers = (
        Voucher.objects.filter(partner=request.partner, user_id=user_id)
        .select_related("store")
        .order_by("-reservation_date", "-id")
    )
    sessions = Session.objects.filter(partner=request.partner, user_id=user_id).order_by(
        "-created_at", "-id"
    )
    return {"report": report, "vouchers": vouchers, "sessions": sessions, "user_id": user_id}


@partner_required
def personal(request):
    if "userId" not in request.GET:
        return _page(request, PersonalDataForm())
    form = PersonalDataForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=422)
    return _page(request, form, **_held(request, form.cleaned_data["userId"]))


@partner_required
def personal_json(request):
    form = PersonalDataForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=422)
    report = personal_report.held_about(request.partner, form.cleaned_data["userId"])
    body = json.dumps(report, indent=2, ensure_ascii=False)
    return attachment(body, "application/json", "personal-data.json")


@require_POST
@partner_required
def personal_erase(request):
    form = PersonalDataForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    user_id = form.cleaned_data["userId"]
    if request.POST.get("confirmed") != "yes":  # the first step: say what will go, ask again
        return _page(request, form, confirming=True, **_held(request, user_id))
    erased = personal_data.erase_user(request.partner, user_id, actor(request))
    messages.success(
        request,
        _(
            "Personal data erased: %(vouchers)d coupon(s), %(sessions)d session(s), "
            "%(notifications)d notification(s). Amounts, dates, states and references are kept."
        )
        % erased.as_dict(),
    )
    return redirect(f"{reverse('portal:personal')}?{urlencode({'userId': user_id})}")
