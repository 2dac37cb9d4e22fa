"""WSGI entry point served by granian (`jackpot serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jackpot.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (configured by the line above)

if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY and not (settings.DEMO or settings.DEBUG):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("set SECRET_KEY before serving (or run `jackpot demo` locally)")
