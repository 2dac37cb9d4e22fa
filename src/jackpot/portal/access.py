"""Who may see what in the portal: a logged-in user of exactly one partner, and only its data.

Every portal view is wrapped by `partner_required`, which puts the user's partner on
`request.partner`; views filter every queryset by it and look objects up with it, so another
partner's object is a 404, as if it did not exist.

Test mode: the live/test switch (`set_test_mode`, held in the session) makes `request.partner`
the partner's test twin, so every page, list and export shows test data only, and live data is
a 404 there as another partner's is. `request.live_partner` is the live row either way (legal
information and logins belong to the partner, not to a mode).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render

from jackpot.partners.models import Partner, PartnerUser
from jackpot.vouchers.models import Voucher

TEST_MODE_KEY = "jackpot_portal_test_mode"


def set_test_mode(request, on: bool) -> None:
    request.session[TEST_MODE_KEY] = bool(on)


def in_test_mode(request) -> bool:
    return bool(request.session.get(TEST_MODE_KEY))


def mode_partner(request, live: Partner) -> Partner:
    """The row the portal works on: the live partner, or its test twin in test mode."""
    if in_test_mode(request):
        twin = Partner.objects.filter(live_partner_id=live.pk).first()
        if twin is not None:
            return twin
    return live


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
        request.live_partner = partner
        request.partner = mode_partner(request, partner)
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
