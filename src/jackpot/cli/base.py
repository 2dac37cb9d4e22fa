"""What every `jackpot` command shares: its error, its output, and the arguments several take.

A command refuses bad input by raising `CommandError`; `main` prints it as `jackpot: …` on
stderr and exits 2. The parsers here turn a typed value into what the services take, or into a
`CommandError` that names the argument, so every command words the same mistake the same way.
Nothing here imports a command module: they import this.
"""

import json
from datetime import date, datetime
from decimal import Decimal


class CommandError(Exception):
    """Input the command refuses; the message is for the operator who typed it."""


def actions(sub, name: str, help: str):
    """A command that is a group of actions (`jackpot NAME ACTION …`): the ACTION is required."""
    command = sub.add_parser(name, help=help)
    return command.add_subparsers(dest="action", metavar="ACTION", required=True)


def print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def amount(text: str, name: str) -> Decimal:
    """A positive amount of at most two decimals (`core.money.parse_amount`) for argument `name`."""
    from jackpot.core.money import parse_amount

    try:
        return parse_amount(text)
    except ValueError as exc:
        raise CommandError(f"{name}: {exc}") from None


def day(text: str, name: str) -> date:
    """The day `text` (YYYY-MM-DD) names, for argument `name`."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def whole_days(args) -> tuple[datetime, datetime]:
    """The period `--from D --to D` names: both days included (`core.periods`)."""
    from jackpot.core.periods import whole_days as period

    return period(day(args.start, "--from"), day(args.end, "--to"))


def add_period(parser) -> None:
    """`--from` and `--to`, as every command taking a period of whole days spells them."""
    parser.add_argument(
        "--from", dest="start", metavar="DAY", required=True, help="first day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to", dest="end", metavar="DAY", required=True, help="last day, YYYY-MM-DD, included"
    )


def partner(partner_id: str):
    from jackpot.partners.models import Partner

    found = Partner.objects.filter(pk=partner_id).first()
    if found is None:
        raise CommandError(f"no partner {partner_id!r}")
    return found


def store(store_id: str):
    from jackpot.catalog.models import Store

    found = Store.objects.filter(pk=store_id).first()
    if found is None:
        raise CommandError(f"no store {store_id!r}")
    return found


def refused(problem) -> CommandError:
    """A service's refusal (a `core.problems.Problem`) as the command's error."""
    return CommandError(problem.detail or problem.title)
