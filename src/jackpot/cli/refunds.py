"""`jackpot refund accept|reject`: the store's decision on a refund request, recorded."""

import uuid

from jackpot.cli.base import CommandError, actions, print_json, refused


def _decide(args, decide) -> int:
    from jackpot.core.problems import Problem
    from jackpot.vouchers.representation import voucher_object

    try:
        voucher_id = uuid.UUID(args.voucher_id)
    except ValueError:
        raise CommandError(f"{args.voucher_id!r} is not a voucher id") from None
    try:
        voucher = decide(voucher_id, "operator:cli", args.reason or "")
    except Problem as exc:
        raise refused(exc) from None
    print_json(voucher_object(voucher))
    return 0


def cmd_refund_accept(args) -> int:
    from jackpot.vouchers import refunds

    return _decide(args, refunds.accept)


def cmd_refund_reject(args) -> int:
    from jackpot.vouchers import refunds

    return _decide(args, refunds.reject)


def add_parsers(sub) -> None:
    refund_sub = actions(sub, "refund", "record the store's decision on a refund request")
    for name, handler, text in (
        ("accept", cmd_refund_accept, "REFUNDING → REFUNDED: codes voided, payment reversed"),
        ("reject", cmd_refund_reject, "REFUNDING → REFUND_REJECTED"),
    ):
        decision = refund_sub.add_parser(name, help=text)
        decision.add_argument("voucher_id")
        decision.add_argument("--reason", default="", help="why (kept in the voucher's events)")
        decision.set_defaults(handler=handler)
