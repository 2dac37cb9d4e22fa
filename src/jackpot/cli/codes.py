"""`jackpot codes import|stock|threshold|store-key`: the operator's tools for store codes."""

from jackpot.cli.base import CommandError, actions, print_json, store


def cmd_codes_import(args) -> int:
    from jackpot.vouchers.codes import importing, pool

    try:
        result = importing.import_csv(args.store, args.file)
    except importing.CodeImportError as exc:
        raise CommandError(f"nothing imported:\n{exc}") from None
    print_json(
        {
            "storeId": result.store_id,
            "added": result.added,
            "usable": sum(result.stock.values()),
            "byValue": pool.by_value(result.stock),
            "vouchersAwaitingCodes": result.awaiting_vouchers,
        }
    )
    return 0


def cmd_codes_stock(args) -> int:
    from jackpot.vouchers.codes import pool

    if args.store:
        pool.refresh_stock(store(args.store))
    else:
        from jackpot.catalog.models import CodeSource, Store

        for pool_store in Store.objects.filter(code_source=CodeSource.POOL):
            pool.refresh_stock(pool_store)
    report = pool.stock_report(only_low=not (args.all or args.store))
    if args.store:
        report = [r for r in report if r["storeId"] == args.store]
    print_json(report)
    return 0


def cmd_codes_threshold(args) -> int:
    from jackpot.catalog.models import Store
    from jackpot.vouchers.codes import pool

    found = store(args.store)
    if args.count < 0:
        raise CommandError("COUNT must be 0 or more")
    Store.objects.filter(pk=found.pk).update(code_low_stock_threshold=args.count)
    found.code_low_stock_threshold = args.count
    pool.refresh_stock(found)
    print_json({"storeId": found.pk, "threshold": args.count})
    return 0


def cmd_codes_store_key(args) -> int:
    from jackpot.vouchers.codes import merchant

    found = store(args.store)
    key = merchant.issue_store_key(found, revoke_others=args.revoke_others)
    print_json(
        {
            "storeId": found.pk,
            "storeKey": key,
            "note": "shown once: the store sends it as 'Authorization: Bearer <storeKey>' to "
            "POST /v2/merchant/codes/check and /redeem",
        }
    )
    return 0


def add_parsers(sub) -> None:
    codes_sub = actions(sub, "codes", "store codes: pools, stock, merchant keys")
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
