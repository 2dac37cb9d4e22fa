"""Who may see what in the portal: a logged-in user of exactly one partner, and only its data.

Every portal view is wrapped by `partner_required`, which puts the user's partner on
`request.partner`; views filter every queryset by it and look objects up with it, so another
partner's object is a 404, as if it did not exist.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render

from jackpot.partners.models import Partner, PartnerUser
from jackpot.vouchers.models import Voucher


def partner_of(user) -> Partner | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = PartnerUser.objects.select_related("partner").filter(user_id=user.pk).first()
    return profile.partner if profile is not None else None


def partner_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        partner = partner_of(request.user)
        if partner is None or not partner.enabled:
            return render(
                request,
                "portal/no_partner.html",
                {"disabled": partner is not None},
                status=403,
            )
        request.partner = partner
        response = view(request, *args, **kwargs)
        # Pages show secrets and private data: never kept by a shared cache or the browser.
        response.setdefault("Cache-Control", "no-store, private")
        return response

    return wrapper


def actor(request) -> str:
    """How the journal names a change made in the portal."""
    return f"portal:{request.user.get_username()}"


def partner_vouchers(request):
    """The vouchers of the request's partner: every portal page starts from these."""
    return Voucher.objects.filter(partner=request.partner).select_related("store")


def partner_voucher(request, voucher_id):
    """One voucher of the request's partner; another partner's is a 404, as if it did not exist."""
    return get_object_or_404(partner_vouchers(request), pk=voucher_id)
