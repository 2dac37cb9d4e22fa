"""Sub-commands of `jackpot`; each translates arguments into calls of the services."""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path


class CommandError(Exception):
    pass


def print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# --- migrate, serve, worker ----------------------------------------------------------------


def cmd_migrate(args) -> int:
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_serve(args) -> int:
    from django.conf import settings

    from jackpot.server import serve

    if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY and not (
        settings.DEMO or settings.DEBUG
    ):
        raise CommandError("set SECRET_KEY (a long random string) before serving in production")

    workers = args.workers or os.cpu_count() or 1
    serve(
        "jackpot.wsgi:application",
        host=args.host,
        port=args.port,
        workers=workers,
        threads=args.threads,
    )
    return 0


def run_worker(once: bool = False, interval: float | None = None) -> int:
    """Deliver webhooks, make PDFs and mails, expire reservations, prune old records; until stopped."""
    import logging

    from django.conf import settings
    from django.db import InterfaceError, OperationalError, close_old_connections, connections

    from jackpot.api.idempotency import prune as prune_idempotency
    from jackpot.core.outages import is_database_outage
    from jackpot.tokens.sessions import prune_burns
    from jackpot.vouchers.delivery import process_due_jobs
    from jackpot.vouchers.lifecycle import expire_due
    from jackpot.vouchers.notification_confirmation import on_delivery_outcome
    from jackpot.webhooks.delivery import deliver_due

    log = logging.getLogger("jackpot.worker")
    interval = settings.JACKPOT_WORKER_INTERVAL if interval is None else interval
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("worker started (sweep every %ss)", interval)
    while not stopping:
        close_old_connections()
        try:
            expired = expire_due()
            pruned = prune_burns() + prune_idempotency()
            if expired or pruned:
                log.info("expired %d reservation(s), pruned %d old record(s)", expired, pruned)
            # Each pass attempts every due delivery once; a 2xx answer to coupon/reserved
            # confirms a notification-mode voucher (the vouchers rule, handed to webhooks).
            delivered = deliver_due(
                on_outcome=on_delivery_outcome, should_stop=lambda: bool(stopping)
            )
            made = process_due_jobs()  # voucher PDFs and mails
        except (OperationalError, InterfaceError) as exc:
            if not is_database_outage(exc):
                raise
            # Every step is transactional and leased: what this pass did not finish is picked
            # up by the next one, once the database is back. Only the connection is dropped.
            log.warning("database unavailable (%s); retrying in %ss", exc, interval)
            connections.close_all()
            delivered = made = 0
            if once:
                return 1
        if once:
            break
        if delivered or made:
            continue  # more may be due (a confirmation's coupon/confirmed): no sleep
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
    log.info("worker stopped")
    return 0


def run_worker_processes(count: int, interval: float | None = None) -> int:
    """`count` worker processes side by side until SIGTERM or Ctrl-C; a crashed one restarts.

    Everything a worker does is claimed under a lease (webhook deliveries, PDF and mail jobs)
    or a row lock (expiry), so processes share the work without doing anything twice. A worker
    spends most of a PDF job waiting for the database, so more processes make more PDFs a
    second, as long as cores are free (bench/README.md, soak).
    """
    import logging

    log = logging.getLogger("jackpot.worker")
    command = [sys.executable, "-m", "jackpot.cli", "worker"]
    if interval is not None:
        command += ["--interval", str(interval)]
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    children = [subprocess.Popen(command) for _ in range(count)]  # noqa: S603
    log.info("%d worker processes started", count)
    try:
        while not stopping:
            for n, child in enumerate(children):
                if child.poll() is not None and not stopping:
                    log.warning(
                        "worker process %d exited (%s); starting another", n, child.returncode
                    )
                    time.sleep(1)
                    children[n] = subprocess.Popen(command)  # noqa: S603
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return 0


def cmd_worker(args) -> int:
    if args.processes < 1:
        raise CommandError("--processes must be at least 1")
    if args.processes > 1 and not args.once:
        return run_worker_processes(args.processes, args.interval)
    try:
        return run_worker(once=args.once, interval=args.interval)
    except KeyboardInterrupt:
        return 0


# --- catalogue -----------------------------------------------------------------------------


def cmd_catalog_import(args) -> int:
    from jackpot.catalog import importer

    try:
        report = importer.import_catalog(importer.load_file(args.file))
    except importer.CatalogError as exc:
        raise CommandError(str(exc)) from None
    print_json(report.as_dict())
    return 0


def cmd_catalog_export(args) -> int:
    from jackpot.catalog import importer

    text = json.dumps(importer.export_catalog(), indent=2, ensure_ascii=False) + "\n"
    if args.file and args.file != "-":
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"catalogue written to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# --- partners ------------------------------------------------------------------------------


def _ceiling(text: str | None):
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"--session-ceiling: {text!r} is not an amount") from None
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise CommandError("--session-ceiling must be positive with at most 2 decimals")
    return value


def cmd_partner_create(args) -> int:
    from jackpot.partners import credentials

    if args.confirmation == "notification" and not args.notification_url:
        raise CommandError(
            "--confirmation notification needs --notification-url: a 2xx answer from it to the "
            "coupon/reserved webhook is what confirms a voucher"
        )
    try:
        _, issued = credentials.create_partner(
            args.name,
            domains=args.domain,
            partner_id=args.id,
            confirmation_mode=args.confirmation,
            notification_url=args.notification_url or "",
            api_signature=args.api_signature,
            api_key=args.api_key,
            session_ceiling=_ceiling(args.session_ceiling),
            sending_enabled=args.sending,
        )
    except credentials.CredentialError as exc:
        raise CommandError(str(exc)) from None
    except Exception as exc:  # model validation: bad URL, bad id
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        raise
    print_json(issued.__dict__)
    return 0


# --- webhooks ------------------------------------------------------------------------------


def cmd_webhooks_resend(args) -> int:
    from jackpot.partners.models import Partner
    from jackpot.webhooks import services

    if not args.delivery_id and not args.failed:
        raise CommandError("name deliveries to re-send (DELIVERY_ID ...) or give --failed")
    if args.partner and not Partner.objects.filter(pk=args.partner).exists():
        raise CommandError(f"no partner {args.partner!r}")
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


# --- tokens --------------------------------------------------------------------------------


def build_token(partner_id: str, amount: str, **claims) -> str:
    """Build a token exactly as the seed's samples do (PyJWT default header, no exp/jti/iss)."""
    import jwt

    from jackpot.core.formats import amount as json_amount
    from jackpot.partners import credentials
    from jackpot.partners.models import Partner

    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise CommandError(f"no partner {partner_id!r} (see `jackpot partner create`)")
    signatures = credentials.valid_signatures(partner)
    if not signatures:
        raise CommandError(f"partner {partner_id!r} has no valid apiSignature")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise CommandError(f"--amount: {amount!r} is not a number") from None
    payload = {
        "amount": json_amount(value) if value == value.quantize(Decimal("0.01")) else float(value)
    }
    payload.update({k: v for k, v in claims.items() if v is not None})
    payload["iat"] = int(time.time())
    payload.setdefault("notificationKey", f"cli-{time.time_ns()}")
    return jwt.encode(payload, signatures[0], algorithm="HS256")


def cmd_token_build(args) -> int:
    print(
        build_token(
            args.partner,
            args.amount,
            cp=args.cp,
            age=args.age,
            gender=args.gender,
            userId=args.user_id,
            notificationKey=args.notification_key,
            email=args.email,
        )
    )
    return 0


def cmd_token_verify(args) -> int:
    from jackpot.tokens.verification import describe

    report = describe(args.token.strip(), client_id=args.client_id)
    print_json(report)
    return 0 if report["valid"] else 1


# --- demo ----------------------------------------------------------------------------------


def ensure_demo_partner() -> dict:
    """The demo partner, with credentials kept in the data folder so every run prints them."""
    from django.conf import settings

    from jackpot.partners import credentials
    from jackpot.partners.models import Partner
    from jackpot.portal.demo import ensure_demo_logins

    path = Path(settings.DATA_DIR) / "demo-partner.json"
    saved = json.loads(path.read_text()) if path.exists() else None
    if Partner.objects.filter(pk="demo").exists() and saved:
        return ensure_demo_logins(saved, path)
    Partner.objects.filter(pk="demo").delete()
    _, issued = credentials.create_partner(
        "Demo Cashback",
        partner_id="demo",
        domains=["localhost", "127.0.0.1"],
        api_signature=saved["apiSignature"] if saved else None,
        api_key=saved["apiKey"] if saved else None,
    )
    data = dict(issued.__dict__)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as saved_file:  # never readable by others, even briefly
        saved_file.write(json.dumps(data, indent=2))
    return ensure_demo_logins(data, path, saved)


DEMO_BANNER = """
  Jackpot demo is running on {base}

  Demo partner page     {base}/demo/   (a fresh token and the widget on every visit)
  API docs (Swagger UI) {base}/v2/docs
  OpenAPI schema        {base}/v2/openapi.json

  Partner portal        {base}/portal/   user {portalUser}  password {portalPassword}
  Operator admin        {base}/admin/    user {operatorUser}  password {operatorPassword}

  Demo partner (also saved in {saved}):
    id            {id}
    apiSignature  {apiSignature}
    apiKey        {apiKey}

  Try the whole flow with curl, in another terminal (from this folder):
    TOKEN=$(.venv/bin/jackpot token build --partner demo --amount 100 --cp 75000 --age 40 --gender M)
    SESSION=$(curl -s -X POST {base}/v2/token -H 'Content-Type: application/json' \\
        -d "{{\\"client_id\\": \\"demo\\", \\"assertion\\": \\"$TOKEN\\"}}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s {base}/v2/stores -H "Authorization: Bearer $SESSION"
    curl -s {base}/v2/stores/foulee/proposed-vouchers -H "Authorization: Bearer $SESSION"
    VOUCHER=$(curl -s -X POST {base}/v2/stores/foulee/offers/foulee-lancement/reserve-voucher-by-value \\
        -H "Authorization: Bearer $SESSION" -H 'Content-Type: application/json' -d '{{"value": 110}}' \\
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -s {base}/v2/voucher/$VOUCHER -H 'apikey: {apiKey}'

  The worker runs beside the server (webhooks, PDFs, mails, expiry). Stop with Ctrl-C.
"""


def cmd_demo(args) -> int:
    from django.conf import settings

    from jackpot.catalog import importer

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    cmd_migrate(argparse.Namespace(verbosity=0))
    importer.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    partner = ensure_demo_partner()
    base = f"http://{args.host}:{args.port}"
    print(
        DEMO_BANNER.format(
            base=base, saved=Path(settings.DATA_DIR) / "demo-partner.json", **partner
        )
    )
    sys.stdout.flush()
    worker = subprocess.Popen(
        [sys.executable, "-m", "jackpot.cli", "worker"], env=os.environ.copy()
    )  # noqa: S603
    try:
        return cmd_serve(argparse.Namespace(host=args.host, port=args.port, workers=1, threads=4))
    finally:
        worker.terminate()
        worker.wait(timeout=10)


# --- parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jackpot", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="migrate, load the demo catalogue and partner, serve")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(handler=cmd_demo)

    serve = sub.add_parser("serve", help="production server (granian, WSGI)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None, help="default: one per core")
    # Two: one runs Python while the other waits for PostgreSQL; more only contend for the
    # worker's GIL (bench/README.md measures 2 × 1, 2 × 2 and 2 × 4 on two cores).
    serve.add_argument("--threads", type=int, default=2, help="threads per worker")
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser("worker", help="webhook delivery, expiry sweep and background jobs")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between passes")
    worker.add_argument(
        "--processes", type=int, default=1, help="worker processes sharing the work (default 1)"
    )
    worker.set_defaults(handler=cmd_worker)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--verbosity", type=int, default=1)
    migrate.set_defaults(handler=cmd_migrate)

    catalog = sub.add_parser("catalog", help="import or export the catalogue file")
    catalog_sub = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    c_import = catalog_sub.add_parser("import", help="load stores and campaigns from FILE")
    c_import.add_argument("file")
    c_import.set_defaults(handler=cmd_catalog_import)
    c_export = catalog_sub.add_parser("export", help="write the catalogue as JSON")
    c_export.add_argument("file", nargs="?", default="-", help="default: standard output")
    c_export.set_defaults(handler=cmd_catalog_export)

    partner = sub.add_parser("partner", help="manage partners")
    partner_sub = partner.add_subparsers(dest="action", metavar="ACTION", required=True)
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

    webhooks = sub.add_parser("webhooks", help="webhook deliveries")
    webhooks_sub = webhooks.add_subparsers(dest="action", metavar="ACTION", required=True)
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

    token = sub.add_parser("token", help="build or verify partner tokens")
    token_sub = token.add_subparsers(dest="action", metavar="ACTION", required=True)
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

    from jackpot import money_commands

    money_commands.add_parsers(sub)

    from jackpot import codes_commands

    codes_commands.add_parsers(sub)
    return parser
