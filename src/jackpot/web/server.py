"""How the platform is served: granian running the WSGI application, and the check that comes
first.

`jackpot serve` and the WSGI module both refuse the development SECRET_KEY outside demo and
debug mode, through `check_secret_key`: the CLI says so before starting granian, the WSGI module
when a server imports it some other way. The benchmarks serve their framework floor through
`serve` too, so that the floor and the product are compared under the very same server.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from granian.constants import Interfaces
from granian.server import Server


def check_secret_key() -> None:
    """Raise ImproperlyConfigured when production would run with the published placeholder key."""
    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY and not (
        settings.DEMO or settings.DEBUG
    ):
        raise ImproperlyConfigured(
            "set SECRET_KEY (a long random string) before serving in production "
            "(or run `jackpot demo` locally)"
        )


def serve(target: str, *, host: str, port: int, workers: int, threads: int) -> None:
    """Serve `target` ("module:attribute") until stopped: `workers` processes × `threads`."""
    Server(
        target,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backlog=2048,
        log_access=False,
    ).serve()
