"""How `jackpot serve` runs a WSGI application under granian: one place for the server settings.

The benchmarks serve their framework floor through this too, so that the floor and the product
are compared under the very same server.
"""

from granian.constants import Interfaces
from granian.server import Server


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
