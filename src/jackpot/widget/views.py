"""The demo partner page: what a partner's own page does, built server-side on every visit.

It signs a fresh one-time token with the demo partner's apiSignature (as the integration guide's
samples do on the partner's backend) and embeds the widget with the guide's asynchronous
"Complete code". Only served in demo, debug or test mode: in production it is a 404.
"""

import re
import time

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from jackpot.core.formats import POSTCODE
from jackpot.core.money import parse_amount
from jackpot.demo import ensure_demo_partner
from jackpot.tokens.samples import build_token

DEFAULTS = {"amount": "100", "cp": "75000", "age": "40", "gender": "M"}


def demo_enabled() -> bool:
    return bool(settings.DEMO or settings.DEBUG or settings.TESTING)


def _claims(query) -> tuple[dict, list[str]]:
    """The token's claims from the query string (?amount=&cp=&age=&gender=), defaults otherwise."""
    values = {k: (query.get(k) or "").strip() or v for k, v in DEFAULTS.items()}
    problems = []
    try:
        parse_amount(values["amount"])
    except ValueError:
        problems.append("amount must be a positive number")
    if not re.fullmatch(r"\d{1,3}", values["age"]):
        problems.append("age must be a whole number")
    if values["gender"] not in ("M", "F"):
        problems.append("gender must be M or F")
    if not POSTCODE.fullmatch(values["cp"].upper()):
        problems.append("cp must be a postcode or a department number")
    return values, problems


@never_cache
def demo(request):
    if not demo_enabled():
        raise Http404("The demo page is only served in demo, debug or test mode.")
    values, problems = _claims(request.GET)
    if problems:
        return HttpResponseBadRequest("; ".join(problems), content_type="text/plain")
    ensure_demo_partner()
    claims = {
        "cp": values["cp"].upper(),
        "age": int(values["age"]),
        "gender": values["gender"],
        "userId": "u-1234",
        "notificationKey": f"demo-{time.time_ns()}",
    }
    test = request.GET.get("mode") == "test"  # ?mode=test: a token of the test mode
    token = build_token("demo", str(parse_amount(values["amount"])), test=test, **claims)
    # Written as-is into a JavaScript string in the page: a JWT is base64url and dots only.
    if not re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token):
        raise ValueError("build_token returned something that is not a compact JWT")
    locale = "en" if request.GET.get("locale") == "en" else "fr"
    return render(
        request,
        "widget/demo.html",
        {
            "token": token,
            "values": values,
            "claims": {"amount": values["amount"], **claims},
            "locale": locale,
            "history": request.GET.get("history") == "1",
            "test": test,
        },
    )
