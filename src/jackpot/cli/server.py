"""`jackpot migrate`, `jackpot serve` and `jackpot worker`: run the platform."""

import os
from pathlib import Path

from jackpot.cli.base import CommandError


def cmd_migrate(args) -> int:
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def serve(host: str, port: int, workers: int, threads: int) -> int:
    """The WSGI application under granian; refused with the development SECRET_KEY."""
    from django.core.exceptions import ImproperlyConfigured

    from jackpot.web import server

    try:
        server.check_secret_key()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from None
    server.serve("jackpot.wsgi:application", host=host, port=port, workers=workers, threads=threads)
    return 0


def cmd_serve(args) -> int:
    return serve(args.host, args.port, args.workers or os.cpu_count() or 1, args.threads)


def cmd_worker(args) -> int:
    if args.processes < 1:
        raise CommandError("--processes must be at least 1")
    if args.processes > 1 and not args.once:
        from jackpot.worker.supervisor import run_worker_processes

        return run_worker_processes(args.processes, args.interval)
    from jackpot.worker.loop import run_worker

    try:
        return run_worker(once=args.once, interval=args.interval)
    except KeyboardInterrupt:
        return 0


def add_parsers(sub) -> None:
    serve_ = sub.add_parser("serve", help="production server (granian, WSGI)")
    serve_.add_argument("--host", default="127.0.0.1")
    serve_.add_argument("--port", type=int, default=8000)
    serve_.add_argument("--workers", type=int, default=None, help="default: one per core")
    # Two: one runs Python while the other waits for PostgreSQL; more only contend for the
    # worker's GIL (bench/README.md measures 2 × 1, 2 × 2 and 2 × 4 on two cores).
    serve_.add_argument("--threads", type=int, default=2, help="threads per worker")
    serve_.set_defaults(handler=cmd_serve)

    worker = sub.add_parser("worker", help="webhook delivery, expiry sweep and background jobs")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between passes")
    worker.add_argument(
        "--processes", type=int, default=1, help="worker processes sharing the work (default 1)"
    )
    worker.set_defaults(handler=cmd_worker)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--verbosity", type=int, default=1)
    migrate.set_defaults(handler=cmd_migrate)
