"""The operator's code and refund tools: `jackpot codes …`, `jackpot refund accept|reject`.

`add_parsers(sub)` registers them on the `jackpot` parser (see `commands.build_parser`).
"""

import uuid

from jackpot.commands import CommandError, print_json


def _store(store_id: str):
    from jackpot.catalog.models import Store

    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise CommandError(f"no store {store_id!r}")
    return store


def cmd_codes_import(args) -> int:
    from jackpot.vouchers.codes import importing

    try:
        result = importing.import_csv(args.store, args.file)
    except importing.CodeImportError as exc:
        raise CommandError(f"nothing imported:\n{exc}") from None
    print_json(
        {
            "storeId": result.store_id,
            "added": result.added,
            "usable": sum(result.stock.values()),
            "byValue": {str(c / 100): n for c, n in sorted(result.stock.items())},
            "vouchersAwaitingCodes": result.awaiting_vouchers,
        }
    )
    return 0


def cmd_codes_stock(args) -> int:
    from jackpot.vouchers.codes import pool

    if args.store:
        pool.refresh_stock(_store(args.store))
    else:
        from jackpot.catalog.models import CodeSource, Store

        for store in Store.objects.filter(code_source=CodeSource.POOL):
            pool.refresh_stock(store)
    report = pool.stock_report(only_low=not (args.all or args.store))
    if args.store:
        report = [r for r in report if r["storeId"] == args.store]
    print_json(report)
    return 0


def cmd_codes_threshold(args) -> int:
    from jackpot.catalog.models import Store
    from jackpot.vouchers.codes import pool

    store = _store(args.store)
    if args.count < 0:
        raise CommandError("COUNT must be 0 or more")
    Store.objects.filter(pk=store.pk).update(code_low_stock_threshold=args.count)
    store.code_low_stock_threshold = args.count
    pool.refresh_stock(store)
    print_json({"storeId": store.pk, "threshold": args.count})
    return 0


def cmd_codes_store_key(args) -> int:
    from jackpot.vouchers.codes import merchant

    store = _store(args.store)
    key = merchant.issue_store_key(store, revoke_others=args.revoke_others)
    print_json(
        {
            "storeId": store.pk,
            "storeKey": key,
            "note": "shown once: the store sends it as 'Authorization: Bearer <storeKey>' to "
            "POST /v2/merchant/codes/check and /redeem",
        }
    )
    return 0


def _refund(args, decide) -> int:
    from jackpot.core.problems import Problem
    from jackpot.vouchers.representation import voucher_object

    try:
        voucher_id = uuid.UUID(args.voucher_id)
    except ValueError:
        raise CommandError(f"{args.voucher_id!r} is not a voucher id") from None
    try:
        voucher = decide(voucher_id, "operator:cli", args.reason or "")
    except Problem as exc:
        raise CommandError(exc.detail or exc.title) from None
    print_json(voucher_object(voucher))
    return 0


def cmd_refund_accept(args) -> int:
    from jackpot.vouchers import refunds

    return _refund(args, refunds.accept)


def cmd_refund_reject(args) -> int:
    from jackpot.vouchers import refunds

    return _refund(args, refunds.reject)


def add_parsers(sub) -> None:
    codes = sub.add_parser("codes", help="store codes: pools, stock, merchant keys")
    codes_sub = codes.add_subparsers(dest="action", metavar="ACTION", required=True)
    c_import = codes_sub.add_parser(
        "import", help="add a CSV of code,pin,value,expiry to STORE's pool (all or nothing)"
    )
    c_import.add_argument("store")
    c_import.add_argument("file")
    c_import.set_defaults(handler=cmd_codes_import)
    stock = codes_sub.add_parser("stock", help="pool stores below their low-stock threshold")
    stock.add_argument("store", nargs="?", default=None, help="only this store")
    stock.add_argument("--all", action="store_true", help="every pool store")
    stock.set_defaults(handler=cmd_codes_stock)
    threshold = codes_sub.add_parser("threshold", help="warn when fewer than COUNT codes are left")
    threshold.add_argument("store")
    threshold.add_argument("count", type=int)
    threshold.set_defaults(handler=cmd_codes_threshold)
    key = codes_sub.add_parser(
        "store-key", help="issue a merchant API key for STORE (printed once)"
    )
    key.add_argument("store")
    key.add_argument("--revoke-others", action="store_true", help="revoke the store's other keys")
    key.set_defaults(handler=cmd_codes_store_key)

    refund = sub.add_parser("refund", help="record the store's decision on a refund request")
    refund_sub = refund.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, handler, text in (
        ("accept", cmd_refund_accept, "REFUNDING → REFUNDED: codes voided, payment reversed"),
        ("reject", cmd_refund_reject, "REFUNDING → REFUND_REJECTED"),
    ):
        decision = refund_sub.add_parser(name, help=text)
        decision.add_argument("voucher_id")
        decision.add_argument("--reason", default="", help="why (kept in the voucher's events)")
        decision.set_defaults(handler=handler)
