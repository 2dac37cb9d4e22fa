"""The live/test switch: which of the partner's two modes every portal page shows."""

import re

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jackpot.partners import credentials
from jackpot.portal.access import partner_required, set_test_mode

_ONE_VOUCHER = re.compile(r"/coupons/[0-9a-fA-F-]{36}")


@require_POST
@partner_required
def switch_mode(request):
    """Held in the session: a partner user works in one mode until switching back; pages,
    lists and exports then show that mode's data only."""
    test = request.POST.get("mode") == "test"
    if test and credentials.test_twin(request.live_partner) is None:
        # A partner made without one (straight in the database): its test mode begins now, its
        # test credentials issued from the security page.
        credentials.create_test_twin(request.live_partner)
    set_test_mode(request, test)
    if test:
        messages.info(request, _("Test mode: you see and change test data only."))
    else:
        messages.info(request, _("Live mode: you see and change live data."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/portal/"):
        target = "/portal/"
    if _ONE_VOUCHER.search(target):
        target = "/portal/coupons/"  # one voucher's page belongs to the mode it was made in
    return redirect(target)
