"""WSGI entry point served by granian (`jackpot serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jackpot.settings")
application = get_wsgi_application()
