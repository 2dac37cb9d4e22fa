"""The `jackpot` command: run, operate and try the platform (SPEC §12)."""

import os
import sys


def _django(demo: bool = False) -> None:
    if demo:
        os.environ.setdefault("JACKPOT_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jackpot.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    from jackpot import commands

    parser = commands.build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    _django(demo=args.command == "demo")
    try:
        return args.handler(args) or 0
    except commands.CommandError as exc:
        print(f"jackpot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
