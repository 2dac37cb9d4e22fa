"""WSGI entry point served by granian (`jackpot serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jackpot.settings")
django_application = get_wsgi_application()

from jackpot.web.server import check_secret_key  # noqa: E402  (needs the settings above)

# Any server that imports this module, not only `jackpot serve`, refuses the development key.
check_secret_key()


def application(environ, start_response):
    """Django's answer, a finished one handed over as one body.

    Given Django's response object, granian iterates it from its own threads, taking the GIL
    back for each piece and again to close it; an answer already whole (not streamed: every API
    answer and page) is handed over as a one-item list, sent at once, once Django has closed it
    (the end-of-request signal: connections returned, files closed).
    """
    response = django_application(environ, start_response)
    if getattr(response, "streaming", True):
        return response  # streamed (file downloads): iterated and closed by the server
    try:
        return [response.content]
    finally:
        response.close()
