"""The `jackpot` command run inside the test process."""

import sys

# `partner create` for a shop confirming its vouchers by notification (the URL is the test's).
NOTIFIED_SHOP = (
    "partner",
    "create",
    "Shop",
    "--domain",
    "shop.example",
    "--confirmation",
    "notification",
)


def run_main(capsys, *argv) -> tuple[int, str, str]:
    """`jackpot ARGV…` through `jackpot.cli.main`: its exit code, then what it printed (stdout,
    stderr), for tests that read a command's output."""
    from jackpot.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_jackpot(argv: list[str]) -> int:
    """`jackpot ARGV…` as `jackpot.cli.main` runs it, minus its `django.setup()`.

    pytest-django has set Django up already; a second set-up would configure logging again and
    take pytest's `caplog` handler off the root logger.
    """
    from jackpot.cli.base import CommandError
    from jackpot.cli.parser import build_parser

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except CommandError as exc:
        print(f"jackpot: {exc}", file=sys.stderr)
        return 2


def command_env(data_dir, **more: str) -> dict[str, str]:
    """The environment of a `jackpot` run as a subprocess: this process's, less the platform's
    own settings (JACKPOT_*, DATABASE_URL, …), with its data (and SQLite database) in
    `data_dir`, plus `more`."""
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JACKPOT_", "PROMETHEUS_", "DATABASE_URL", "DJANGO_SETTINGS"))
    }
    return {**env, "JACKPOT_DATA_DIR": str(data_dir), **more}


def jackpot_process(argv: list[str], env: dict[str, str], **options):
    """`jackpot ARGV…` in a subprocess, its output captured as text."""
    import subprocess

    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "jackpot.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **options,
    )
