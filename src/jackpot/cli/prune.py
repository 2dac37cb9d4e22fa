"""`jackpot prune`: delete the done work past its retention once, as the worker does on its
schedule (worker/pruning.py; README, "Data kept and for how long")."""

from jackpot.cli.base import CommandError, print_json


def cmd_prune(args) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from jackpot.worker import pruning

    try:
        run = pruning.prune()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from None
    print_json(run.deleted)
    return 0


def add_parsers(sub) -> None:
    prune = sub.add_parser(
        "prune",
        help="delete done work past its retention, once (the worker does it on a schedule)",
    )
    prune.set_defaults(handler=cmd_prune)
