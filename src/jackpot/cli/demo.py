"""`jackpot demo`: set the demo up (`jackpot.demo`), print where everything is, then serve with a
worker beside the server until Ctrl-C."""

import os
import subprocess
import sys

from jackpot.cli import server
from jackpot.cli.base import CommandError


def served_at(host: str, port: int) -> str:
    return f"http://{host}:{port}"


def demo_environment(host: str, port: int) -> None:
    """What `jackpot demo` sets before Django reads its settings: demo mode, and the public
    address of PDF and mail links where the demo serves, unless JACKPOT_PUBLIC_URL names
    another.

    Before, not after: the server's processes fork from this one with the settings it read,
    and the worker beside it inherits the environment.
    """
    os.environ.setdefault("JACKPOT_DEMO", "1")
    os.environ.setdefault("JACKPOT_PUBLIC_URL", served_at(host, port))


def cmd_demo(args) -> int:
    from django.core.exceptions import ValidationError

    from jackpot import demo
    from jackpot.worker.supervisor import worker_command

    base = served_at(args.host, args.port)
    try:
        partner = demo.prepare(base)
    except ValidationError as exc:  # another partner already holds this port of localhost
        raise CommandError(
            f"the demo partner cannot own {base}: {' '.join(exc.messages)} "
            "Serve the demo on another --port."
        ) from None
    print(demo.banner(base, partner))
    sys.stdout.flush()
    worker = subprocess.Popen(worker_command(), env=os.environ.copy())  # noqa: S603
    try:
        return server.serve(args.host, args.port, workers=1, threads=4)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def add_parsers(sub) -> None:
    demo = sub.add_parser(
        "demo",
        help="migrate, load the demo catalogue and partner, serve",
        description="Migrate the embedded database, load the demo catalogue and partner, and "
        "serve with a worker beside the server. PDF and mail links point at --host:--port "
        "unless JACKPOT_PUBLIC_URL is set.",
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(handler=cmd_demo)
