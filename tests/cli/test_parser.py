"""`jackpot` lists its commands, in the README's order, and without one prints its help."""

import re

import pytest

from jackpot.cli import main

COMMANDS = [
    "demo",
    "serve",
    "worker",
    "migrate",
    "prune",
    "catalog",
    "partner",
    "webhooks",
    "token",
    "wallet",
    "statement",
    "report",
    "codes",
    "refund",
    "users",
    "check",
]


def test_without_a_command_jackpot_prints_its_help_and_exits_2(capsys):
    assert main([]) == 2

    out = capsys.readouterr().out
    assert out.startswith("usage: jackpot [-h] COMMAND ...")
    listed = re.findall(r"^ {4}(\w+)", out, re.M)
    assert listed == COMMANDS


def test_an_unknown_command_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])

    assert exit_.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
