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
