"""The API's ReDoc page, served from the package like Swagger UI (ninja's own `/v2/docs`).

Nothing loads from elsewhere: ninja's ReDoc template is overridden (templates/ninja/redoc.html)
to carry the Content-Security-Policy's nonce, and the bundle is served by `redoc_bundle`.
"""

import functools
import hashlib

from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotModified
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from ninja.openapi.docs import Redoc

from jackpot.api.routes import api


def redoc(request):
    return Redoc().render_page(request, api)


# ReDoc's bundle draws "API docs by Redocly" with a logo it loads from a CDN, with no option to
# leave it out: the platform serves the bundle with that one address pointed at its own icon.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def _redoc_bundle() -> tuple[bytes, str]:
    with open(finders.find("ninja/redoc.standalone.js"), "rb") as bundle:
        text = bundle.read().replace(REDOC_LOGO.encode(), static("jackpot/favicon.svg").encode())
    return text, '"' + hashlib.sha256(text).hexdigest()[:32] + '"'


@require_GET
def redoc_bundle(request):
    body, etag = _redoc_bundle()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    return response
