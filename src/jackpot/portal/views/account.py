"""The partner's general information (its users, its confirmation mode) and legal information."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jackpot.partners import services as partner_services
from jackpot.partners.models import PartnerUser
from jackpot.portal.access import actor, partner_required
from jackpot.portal.forms import LegalForm


@partner_required
def account(request):
    partner = request.live_partner  # the partner's logins and settings: the same in both modes
    return render(
        request,
        "portal/account.html",
        {
            "section": "account",
            "users": PartnerUser.objects.filter(partner=partner).select_related("user"),
            "mode_label": partner.get_confirmation_mode_display(),
        },
    )


@partner_required
def legal(request):
    info = partner_services.legal_information(request.live_partner)  # one company, both modes
    form = LegalForm(request.POST or None, instance=info)
    if request.method == "POST":
        if form.is_valid():
            partner_services.save_legal_information(form.save(commit=False), actor(request))
            messages.success(request, _("Legal information saved."))
            return redirect("portal:legal")
    return render(
        request,
        "portal/legal.html",
        {"section": "legal", "form": form, "info": info},
        status=422 if form.errors else 200,
    )
