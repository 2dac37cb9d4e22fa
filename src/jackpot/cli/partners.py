"""`jackpot partner create|rotate`: a partner and its credentials (live and test), printed once."""

from jackpot.cli.base import CommandError, actions, amount, partner, print_json

CREDENTIALS = ("api-signature", "api-key", "client-secret", "webhook-secret")


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
    print_json(issued.as_dict())
    return 0


def cmd_partner_rotate(args) -> int:
    """A new credential of the partner's live mode, or of its test mode with --test, printed
    once. A signature or webhook secret rotated keeps the old one valid for --grace-hours; a
    new apiKey or client secret replaces the old one at once."""
    from datetime import timedelta

    from jackpot.partners import credentials
    from jackpot.webhooks import signing

    found = partner(args.partner)
    if found.is_test:
        raise CommandError(f"name the partner ({found.live_id!r}) and add --test")
    if args.test:
        found = credentials.test_twin(found)
        if found is None:
            found, _ = credentials.create_test_twin(partner(args.partner))
    if args.grace_hours < 0:
        raise CommandError("--grace-hours must be 0 or more")
    grace = timedelta(hours=args.grace_hours)
    if args.credential == "api-signature":
        name, value = "apiSignature", credentials.rotate_api_signature(found, grace)
    elif args.credential == "api-key":
        name, value = "apiKey", credentials.regenerate_api_key(found)
    elif args.credential == "client-secret":
        name, value = "clientSecret", credentials.regenerate_client_secret(found)
    else:
        name, value = "webhookSecret", signing.rotate_secret(found, grace)
    print_json({"id": found.live_id, "livemode": found.livemode, name: value})
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

    rotate = partner_sub.add_parser(
        "rotate",
        help="issue a new credential (live, or test with --test) and print it once",
    )
    rotate.add_argument("partner", help="the partner id")
    rotate.add_argument("credential", choices=CREDENTIALS)
    rotate.add_argument("--test", action="store_true", help="the test-mode credential")
    rotate.add_argument(
        "--grace-hours",
        type=float,
        default=24,
        help="how long the previous apiSignature or webhook secret stays valid (default 24)",
    )
    rotate.set_defaults(handler=cmd_partner_rotate)
