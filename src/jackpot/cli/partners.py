"""`jackpot partner create`: a partner and its credentials, printed once; `jackpot partner
limits`: a partner's abuse limits, shown or changed."""

from jackpot.cli.base import CommandError, actions, amount, print_json
from jackpot.cli.base import partner as find_partner

# The options of `jackpot partner limits`, by the limit's API name (`partners.limits.FIELDS`).
LIMIT_OPTIONS = {
    "perUserDay": "--per-user-day",
    "perUserMonth": "--per-user-month",
    "amountPerUserMonth": "--amount-per-user-month",
    "perAddressHour": "--per-address-hour",
}


def cmd_partner_create(args) -> int:
    from django.core.exceptions import ValidationError

    from jackpot.partners import credentials

    if args.confirmation == "notification" and not args.notification_url:
        raise CommandError(
            "--confirmation notification needs --notification-url: a 2xx answer from it to the "
            "coupon/reserved webhook is what confirms a voucher"
        )
    ceiling = None
    if args.session_ceiling is not None:
        ceiling = amount(args.session_ceiling, "--session-ceiling")
    try:
        _, issued = credentials.create_partner(
            args.name,
            domains=args.domain,
            partner_id=args.id,
            confirmation_mode=args.confirmation,
            notification_url=args.notification_url or "",
            api_signature=args.api_signature,
            api_key=args.api_key,
            session_ceiling=ceiling,
            sending_enabled=args.sending,
        )
    except credentials.CredentialError as exc:
        raise CommandError(str(exc)) from None
    except ValidationError as exc:  # model validation: bad URL, bad id
        raise CommandError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from None
    print_json(issued.__dict__)
    return 0


def limit_values(args) -> dict:
    """The limits the options name, parsed: `none` removes one; a bad value names its option."""
    from jackpot.partners.limits import parse_limit

    values = {}
    for name, option in LIMIT_OPTIONS.items():
        text = getattr(args, option[2:].replace("-", "_"))
        if text is None:
            continue
        if text.strip().lower() == "none":
            values[name] = None
            continue
        try:
            values[name] = parse_limit(name, text)
        except ValueError as exc:
            raise CommandError(f"{option}: {exc}") from None
    return values


def cmd_partner_limits(args) -> int:
    from django.core.exceptions import ValidationError

    from jackpot.partners import limits

    partner = find_partner(args.partner_id)
    try:
        current = limits.set_limits(partner, limit_values(args), clear=args.clear)
    except ValidationError as exc:
        raise CommandError(limits.validation_message(exc)) from None
    print_json({"partner": partner.pk, "limits": current.as_json()})
    return 0


def add_parsers(sub) -> None:
    partner_sub = actions(sub, "partner", "manage partners")
    create = partner_sub.add_parser("create", help="create a partner, print its credentials")
    create.add_argument("name")
    create.add_argument(
        "--domain", action="append", required=True, help="authorised domain (repeatable)"
    )
    create.add_argument("--id", default=None, help="partner id (default: from the name)")
    create.add_argument(
        "--confirmation", choices=["auto", "manual", "notification"], default="auto"
    )
    create.add_argument("--notification-url", default=None)
    create.add_argument("--api-signature", default=None, help="default: 256 random bits")
    create.add_argument("--api-key", default=None)
    create.add_argument("--session-ceiling", default=None, help="max amount per session")
    create.add_argument(
        "--sending", action="store_true", help="mail vouchers to the token's email claim"
    )
    create.set_defaults(handler=cmd_partner_create)

    limits = partner_sub.add_parser(
        "limits",
        help="show or set a partner's abuse limits (README, Abuse limits)",
        description="With no option, prints the limits. Each option sets one limit, or removes "
        "it with `none`; --clear removes every limit no option sets.",
    )
    limits.add_argument("partner_id", metavar="PARTNER")
    limits.add_argument("--per-user-day", metavar="N", help="vouchers per userId per day")
    limits.add_argument("--per-user-month", metavar="N", help="vouchers per userId per month")
    limits.add_argument(
        "--amount-per-user-month", metavar="AMOUNT", help="amount converted per userId per month"
    )
    limits.add_argument(
        "--per-address-hour", metavar="N", help="reservations per client address per hour"
    )
    limits.add_argument("--clear", action="store_true", help="remove the limits not set here")
    limits.set_defaults(handler=cmd_partner_limits)
