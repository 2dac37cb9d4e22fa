"""`jackpot partner create`: a partner and its credentials, printed once."""

from jackpot.cli.base import CommandError, actions, amount, print_json


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
