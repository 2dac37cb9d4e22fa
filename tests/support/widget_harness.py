"""The platform's URLs plus partner pages for the browser tests (never part of the product).

The widget tests' URLconf (`settings.ROOT_URLCONF = "support.widget_harness"`):
`/harness/<name>/?token=…` serves tests/widget/harness/<name>.html with the guide's placeholders
filled in: `myJWTToken` becomes the token, `src=""` the widget script, and for embed.html
`/*OPTIONS*/` the JSON of `?options=`.
"""

import json
import re
from pathlib import Path

from csp.decorators import csp_exempt
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.templatetags.static import static
from django.urls import include, path

HARNESS = Path(__file__).resolve().parents[1] / "widget" / "harness"
HOSTILE = """<style>
    /* A careless host stylesheet: generic rules the widget must not be broken by. */
    button { background: red; border: 4px dashed lime; font: italic 30px cursive; margin: 20px; }
    h2 { font-size: 60px; color: red; } p { text-transform: uppercase; }
    ul li { list-style: square; margin-left: 40px; } .card, .detail { border: 5px solid red; }
  </style>"""


@csp_exempt()  # a partner's page on its own origin: the platform's policy is not its policy
def harness(request, name):
    page = HARNESS / f"{name}.html"
    if not re.fullmatch(r"[a-z]+", name) or not page.exists():
        raise Http404(name)
    token = request.GET.get("token", "")
    if not re.fullmatch(r"[A-Za-z0-9_.\-]*", token):
        return HttpResponseBadRequest("token: JWT characters only")
    options = json.loads(request.GET.get("options") or "{}")
    text = (
        page.read_text()
        .replace("myJWTToken", token)
        .replace('src=""', f'src="{static("scripts/widget-jackpot.js")}"')
        .replace("/*OPTIONS*/", json.dumps(options).replace("<", "\\u003c"))
        .replace("<!--HOSTILE-->", HOSTILE if request.GET.get("hostile") else "")
    )
    return HttpResponse(text)


urlpatterns = [
    path("harness/<str:name>/", harness),
    path("", include("jackpot.urls")),
]
