"""The `jackpot` argument parser: each command module adds its own sub-commands.

A module's `add_parsers(sub)` registers its commands with a `handler` default; the order below
is the order `jackpot --help` lists them in.
"""

import argparse

from jackpot.cli import (
    catalog,
    check,
    codes,
    demo,
    money,
    partners,
    prune,
    refunds,
    server,
    tokens,
    users,
    webhooks,
)

GROUPS = (
    demo,
    server,
    prune,
    catalog,
    partners,
    webhooks,
    tokens,
    money,
    codes,
    refunds,
    users,
    check,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jackpot",
        description="Sub-commands of `jackpot`; each translates arguments into calls of the "
        "services.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser
