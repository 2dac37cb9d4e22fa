"""`jackpot webhooks resend`: queue deliveries again, now, with a fresh retry schedule."""

from jackpot.cli.base import CommandError, actions, partner, print_json


def cmd_webhooks_resend(args) -> int:
    from jackpot.webhooks import services

    if not args.delivery_id and not args.failed:
        raise CommandError("name deliveries to re-send (DELIVERY_ID ...) or give --failed")
    if args.partner:
        partner(args.partner)
    if args.enable_endpoint:
        if not args.partner:
            raise CommandError("--enable-endpoint needs --partner")
        services.enable_endpoint(args.partner)
    report: dict = {}
    if args.delivery_id:
        queued, refused = [], {}
        for delivery_id in args.delivery_id:
            try:
                services.resend(delivery_id, partner=args.partner)
            except services.ResendError as exc:
                refused[str(delivery_id)] = str(exc)
            else:
                queued.append(delivery_id)
        report.update(queued=queued, refused=refused)
    if args.failed:
        report["queuedFailed"] = services.resend_failed(args.partner)
    print_json(report)
    return 1 if report.get("refused") else 0


def add_parsers(sub) -> None:
    webhooks_sub = actions(sub, "webhooks", "webhook deliveries")
    resend = webhooks_sub.add_parser(
        "resend", help="queue deliveries again, now, with a fresh retry schedule"
    )
    resend.add_argument("delivery_id", nargs="*", type=int, metavar="DELIVERY_ID")
    resend.add_argument("--failed", action="store_true", help="every failed delivery")
    resend.add_argument("--partner", default=None, help="only this partner's deliveries")
    resend.add_argument(
        "--enable-endpoint",
        action="store_true",
        help="first re-enable the partner's endpoint (disabled after a 410 answer)",
    )
    resend.set_defaults(handler=cmd_webhooks_resend)
