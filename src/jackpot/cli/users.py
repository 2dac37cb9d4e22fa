"""`jackpot users show|erase PARTNER USER_ID`: a partner's user's personal data, read or erased
by an operator (the partner's request by mail, a regulator's), as the API and the portal do."""

import getpass

from jackpot.cli.base import actions, partner, print_json, refused


def _operator() -> str:
    """Who typed the command, for the audit log: the system account running it."""
    try:
        return f"operator:cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "operator:cli"


def _user_id(text: str) -> str:
    from jackpot.core.problems import Problem
    from jackpot.vouchers import personal_data

    try:
        return personal_data.checked_user_id(text)
    except Problem as exc:
        raise refused(exc) from None


def cmd_users_show(args) -> int:
    from jackpot.vouchers import personal_report

    print_json(personal_report.held_about(partner(args.partner), _user_id(args.user_id)))
    return 0


def cmd_users_erase(args) -> int:
    from django.utils import timezone

    from jackpot.core.formats import iso
    from jackpot.vouchers import personal_data

    user_id = _user_id(args.user_id)
    erased = personal_data.erase_user(partner(args.partner), user_id, _operator())
    print_json({"erasedAt": iso(timezone.now()), "erased": erased.as_dict()})
    return 0


def add_parsers(sub) -> None:
    users_sub = actions(sub, "users", "a partner's user's personal data: read it, erase it")
    for name, handler, text in (
        ("show", cmd_users_show, "print everything held about the user, as JSON"),
        (
            "erase",
            cmd_users_erase,
            "erase the user's personal data at once (recorded in the audit log, without it)",
        ),
    ):
        command = users_sub.add_parser(name, help=text)
        command.add_argument("partner", help="the partner's id")
        command.add_argument("user_id", metavar="USER_ID", help="the userId its tokens carried")
        command.set_defaults(handler=handler)
