"""The token verifier: what Jackpot would make of a partner token, without burning it."""

from django.shortcuts import render

from jackpot.portal.access import partner_required
from jackpot.portal.forms import TokenForm
from jackpot.tokens import verification


@partner_required
def token_verifier(request):
    form = TokenForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        # The partner's own id is the client_id: a token of another partner is a mismatch, and
        # `describe` only reads (it never burns the token).
        report = verification.describe(form.cleaned_data["token"], client_id=request.partner.pk)
    return render(
        request,
        "portal/token.html",
        {"section": "token", "form": form, "report": report},
    )
