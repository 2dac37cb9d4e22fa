"""`jackpot token build|verify`: tokens as a partner's backend makes them, and what the platform
makes of one."""

from jackpot.cli.base import CommandError, actions, print_json


def cmd_token_build(args) -> int:
    from jackpot.tokens import samples

    try:
        token = samples.build_token(
            args.partner,
            args.amount,
            cp=args.cp,
            age=args.age,
            gender=args.gender,
            userId=args.user_id,
            notificationKey=args.notification_key,
            email=args.email,
        )
    except samples.AmountError as exc:
        raise CommandError(f"--amount: {exc}") from None
    except samples.SampleTokenError as exc:
        raise CommandError(str(exc)) from None
    print(token)
    return 0


def cmd_token_verify(args) -> int:
    from jackpot.tokens.verification import describe

    report = describe(args.token.strip(), client_id=args.client_id)
    print_json(report)
    return 0 if report["valid"] else 1


def add_parsers(sub) -> None:
    token_sub = actions(sub, "token", "build or verify partner tokens")
    build = token_sub.add_parser("build", help="build a token as the integration guide does")
    build.add_argument("--partner", required=True)
    build.add_argument("--amount", required=True)
    build.add_argument("--cp")
    build.add_argument("--age", type=int)
    build.add_argument("--gender", choices=["M", "F"])
    build.add_argument("--user-id")
    build.add_argument("--notification-key")
    build.add_argument("--email")
    build.set_defaults(handler=cmd_token_build)
    verify = token_sub.add_parser(
        "verify", help="show a token's header, claims and validity (never burns)"
    )
    verify.add_argument("token")
    verify.add_argument("--client-id", default=None)
    verify.set_defaults(handler=cmd_token_verify)
