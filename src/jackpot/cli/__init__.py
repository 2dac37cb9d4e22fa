"""The `jackpot` command: run, operate and try the platform (SPEC §12).

`main(argv)` parses the arguments (cli.parser, one module per command group), sets Django up,
and runs the chosen command's handler: 0 on success, 2 when the command refuses its input (a
`CommandError`, printed on stderr), or the handler's own code.
"""

import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jackpot.settings")
    import django

    django.setup()


def _metrics_directory() -> None:
    """The processes a server or worker starts share their Prometheus values through files
    (`core.metrics_files`); chosen here, before anything imports prometheus-client. The data
    directory is settings.DATA_DIR's, which is not loaded yet."""
    if "prometheus_client" in sys.modules:  # too late to choose (`main` called in-process)
        return
    from pathlib import Path

    from jackpot.core import metrics_files

    metrics_files.prepare_directory(os.environ.get("JACKPOT_DATA_DIR") or Path.cwd() / "var")


def main(argv: list[str] | None = None) -> int:
    from jackpot.cli.base import CommandError
    from jackpot.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    if args.command in ("serve", "worker"):
        _metrics_directory()
    if args.command == "demo":
        from jackpot.cli.demo import demo_environment

        demo_environment(args.host, args.port)  # before the settings are read
    _django()
    try:
        return args.handler(args) or 0
    except CommandError as exc:
        print(f"jackpot: {exc}", file=sys.stderr)
        return 2
