"""The framework floor: the least a django-ninja JSON endpoint costs under `jackpot serve`'s server.

No middleware, no database, no templates: Django's request handling and ninja's routing and
serialisation only. Run as `python bench/floor_app.py PORT WORKERS THREADS`: the script only
starts the server, whose workers import this file again as the module `floor_app`.
"""

import sys

if __name__ == "__main__":
    from jackpot.web.server import serve

    port, workers, threads = (int(a) for a in sys.argv[1:4])
    serve("floor_app:application", host="127.0.0.1", port=port, workers=workers, threads=threads)
    sys.exit(0)

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-" + "x" * 50,  # a throwaway server on loopback
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from ninja import NinjaAPI, Schema  # noqa: E402

api = NinjaAPI(docs_url=None)


class Answer(Schema):
    ok: bool
    name: str
    value: int


@api.get("/floor", response=Answer)
def floor(request):
    return {"ok": True, "name": "floor", "value": 42}


urlpatterns = [path("", api.urls)]
application = get_wsgi_application()
