"""The token verifier: what Jackpot would make of a partner token, without burning it."""

from datetime import UTC, datetime

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jackpot.portal.access import partner_required
from jackpot.portal.forms import TokenForm
from jackpot.tokens import verification

# The claims that are moments, in seconds since 1970 (RFC 7519): shown as dates beside the raw
# number, which stays in the claims as the token carries it.
TIME_CLAIMS = {"iat": _("issued at"), "exp": _("expires at"), "nbf": _("not before")}


def claim_times(claims) -> list[dict]:
    """The token's time claims as dates; a claim that is not a usable number is left out (the
    report's problem says why)."""
    times = []
    for name, label in TIME_CLAIMS.items():
        raw = claims.get(name) if isinstance(claims, dict) else None
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            continue
        try:
            moment = datetime.fromtimestamp(raw, tz=UTC)
        except (OverflowError, OSError, ValueError):
            continue
        times.append({"name": name, "label": label, "raw": raw, "moment": moment})
    return times


@partner_required
def token_verifier(request):
    form = TokenForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        # The partner's own id is the client_id: a token of another partner is a mismatch, and
        # `describe` only reads (it never burns the token).
        report = verification.describe(
            form.cleaned_data["token"], client_id=request.partner.live_id
        )
    return render(
        request,
        "portal/token.html",
        {
            "section": "token",
            "form": form,
            "report": report,
            "times": claim_times(report["claims"]) if report else [],
        },
    )
