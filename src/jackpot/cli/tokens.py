"""`jackpot token build|verify`: tokens as a partner's backend makes them, and what the platform
makes of one."""

import argparse

from jackpot.cli.base import CommandError, actions, print_json

# `jackpot token build` options and the claim each writes (SPEC §2), besides --amount: every
# claim of the contract can be set, so that any token a partner might send can be tried.
CLAIM_OPTIONS = {
    "cp": "cp",
    "age": "age",
    "gender": "gender",
    "user_id": "userId",
    "notification_key": "notificationKey",
    "email": "email",
    "force_manual_confirm": "forceManualConfirm",
    "custom_transaction_id": "customTransactionId",
    "iat": "iat",
    "exp": "exp",
    "nbf": "nbf",
    "iss": "iss",
    "aud": "aud",
    "jti": "jti",
}


def cmd_token_build(args) -> int:
    from jackpot.tokens import samples

    claims = {claim: getattr(args, option) for option, claim in CLAIM_OPTIONS.items()}
    try:
        token = samples.build_token(
            args.partner,
            args.amount,
            headers={"kid": args.kid} if args.kid else None,
            test=args.test,
            **claims,
        )
    except samples.AmountError as exc:
        raise CommandError(f"--amount: {exc}") from None
    except samples.SampleTokenError as exc:
        raise CommandError(str(exc)) from None
    print(token)
    return 0


def cmd_token_verify(args) -> int:
    from jackpot.tokens.verification import describe

    report = describe(args.token.strip(), client_id=args.client_id, origin=args.origin)
    print_json(report)
    return 0 if report["valid"] else 1


def add_parsers(sub) -> None:
    token_sub = actions(sub, "token", "build or verify partner tokens")
    build = token_sub.add_parser(
        "build",
        help="build a token as the integration guide does",
        description="Build a partner token as the integration guide's samples do (HS256 with "
        "the partner's apiSignature, PyJWT's header). Every claim of the token contract can be "
        "set; a claim not given is left out, except iat (now) and notificationKey (a fresh one).",
    )
    build.add_argument("--partner", required=True, help="the partner whose apiSignature signs")
    build.add_argument(
        "--test",
        action="store_true",
        help="sign with the partner's test apiSignature: a test session, test vouchers",
    )
    build.add_argument("--amount", required=True, help="amount: the session's budget")
    build.add_argument("--cp", help="cp: the user's postcode or department")
    build.add_argument("--age", type=int, help="age: the user's age")
    build.add_argument("--gender", choices=["M", "F"], help="gender")
    build.add_argument("--user-id", help="userId: the user's id at the partner")
    build.add_argument("--notification-key", help="notificationKey (default: a fresh one)")
    build.add_argument("--email", help="email: where the voucher is sent")
    build.add_argument(
        "--force-manual-confirm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="forceManualConfirm: true (the voucher waits for the partner's confirmation), or "
        "false with --no-force-manual-confirm; left out by default",
    )
    build.add_argument(
        "--custom-transaction-id", help="customTransactionId: copied onto the voucher"
    )
    build.add_argument("--iat", type=int, help="iat, seconds since the epoch (default: now)")
    build.add_argument("--exp", type=int, help="exp, seconds since the epoch")
    build.add_argument("--nbf", type=int, help="nbf, seconds since the epoch")
    build.add_argument("--iss", help="iss: the partner id the token names")
    build.add_argument("--aud", help="aud")
    build.add_argument("--jti", help="jti")
    build.add_argument("--kid", help="a kid header naming the partner id")
    build.set_defaults(handler=cmd_token_build)
    verify = token_sub.add_parser(
        "verify",
        help="show a token's header, claims and validity (never burns)",
        description="Show a token's header, claims, signature validity and whether it was "
        "already used, without burning it; exit 1 if the exchange would refuse it. The "
        "partner is found as the exchange finds it (iss claim, kid header, --client-id, "
        "--origin); when nothing names it, as the partner whose apiSignature signed it.",
    )
    verify.add_argument("token")
    verify.add_argument("--client-id", default=None, help="the client_id sent with the token")
    verify.add_argument("--origin", default=None, help="the Origin of the page sending it")
    verify.set_defaults(handler=cmd_token_verify)
