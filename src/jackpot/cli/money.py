"""The operator's money tools: `jackpot wallet …`, `jackpot statement …`, `jackpot report`."""

from pathlib import Path

from jackpot.cli.base import (
    CommandError,
    actions,
    add_period,
    amount,
    partner,
    print_json,
    refused,
    whole_days,
)
from jackpot.core.formats import amount as json_amount
from jackpot.core.formats import iso


def cmd_wallet_credit(args) -> int:
    from jackpot.core.problems import Problem
    from jackpot.ledger import services as ledger

    found = partner(args.partner)
    try:
        txn = ledger.credit_wallet(
            found,
            amount(args.amount, "AMOUNT"),
            reference=args.reference or "top-up",
            created_by="cli",
            idempotency_key=args.idempotency_key,
        )
    except Problem as exc:
        raise refused(exc) from None
    status = ledger.wallet_status(found)
    print_json(
        {
            "transactionId": str(txn.id),
            "balance": json_amount(status.balance),
            "currency": status.currency,
        }
    )
    return 0


def cmd_wallet_show(args) -> int:
    from jackpot.ledger import services as ledger

    found = partner(args.partner)
    status = ledger.wallet_status(found)
    account = ledger.wallet_account(found)
    entries = ledger.entries_newest_first(account)
    print_json(
        {
            "partner": found.pk,
            "balance": json_amount(status.balance),
            "currency": status.currency,
            "lowBalanceThreshold": json_amount(status.low_balance_threshold),
            "lowBalance": status.low,
            "latest": [
                {
                    "at": iso(e.transaction.created_at),
                    "kind": e.transaction.kind,
                    "reference": e.transaction.reference,
                    "amount": json_amount(e.amount),
                }
                for e in entries[: args.limit]
            ],
        }
    )
    return 0


def cmd_wallet_threshold(args) -> int:
    from jackpot.ledger import services as ledger

    threshold = ledger.set_low_balance_threshold(
        partner(args.partner), None if args.amount == "none" else amount(args.amount, "AMOUNT")
    )
    print_json({"partner": args.partner, "lowBalanceThreshold": json_amount(threshold)})
    return 0


def cmd_statement_issue(args) -> int:
    from jackpot.core.problems import Problem
    from jackpot.vouchers import payments

    found = partner(args.partner)
    try:
        statement = payments.issue_statement(found, *whole_days(args), "cli")
    except Problem as exc:
        raise refused(exc) from None
    if args.csv:
        with Path(args.csv).open("w", encoding="utf-8", newline="") as out:
            out.writelines(payments.statement_lines(statement))  # streamed, as downloads are
    if args.pdf:
        Path(args.pdf).write_bytes(payments.statement_pdf(statement))
    print_json(
        {
            "statement": statement.pk,
            "partner": found.pk,
            "total": json_amount(statement.total),
            "currency": statement.currency,
            "vouchers": statement.voucher_count,
        }
    )
    return 0


def cmd_statement_pay(args) -> int:
    from jackpot.core.problems import Problem
    from jackpot.vouchers import payments
    from jackpot.vouchers.models import Statement

    statement = Statement.objects.filter(pk=args.statement).first()
    if statement is None:
        raise CommandError(f"no statement {args.statement}")
    try:
        statement = payments.record_statement_payment(
            statement,
            payment_reference=args.reference,
            actor="cli",
            idempotency_key=args.idempotency_key,
        )
    except Problem as exc:
        raise refused(exc) from None
    print_json(
        {
            "statement": statement.pk,
            "paidAt": iso(statement.paid_at),
            "transactionId": statement.transaction_id,
        }
    )
    return 0


def cmd_report_stores(args) -> int:
    from jackpot.vouchers import payments

    rows = payments.store_report(*whole_days(args))
    print_json(
        [
            {
                **r,
                "valueIssued": json_amount(r["valueIssued"]),
                "bonusFunded": json_amount(r["bonusFunded"]),
                "owed": json_amount(r["owed"]),
            }
            for r in rows
        ]
    )
    return 0


def add_parsers(sub) -> None:
    wallet_sub = actions(sub, "wallet", "partner wallets: credit, show, low-balance threshold")
    credit = wallet_sub.add_parser("credit", help="record a top-up received from a partner")
    credit.add_argument("partner")
    credit.add_argument("amount")
    credit.add_argument("--reference", help="the bank transfer's reference")
    credit.add_argument("--idempotency-key", help="records the top-up once, however often sent")
    credit.set_defaults(handler=cmd_wallet_credit)
    show = wallet_sub.add_parser("show", help="balance and latest movements")
    show.add_argument("partner")
    show.add_argument("--limit", type=int, default=20)
    show.set_defaults(handler=cmd_wallet_show)
    threshold = wallet_sub.add_parser(
        "threshold", help="warn the partner below AMOUNT ('none': never)"
    )
    threshold.add_argument("partner")
    threshold.add_argument("amount")
    threshold.set_defaults(handler=cmd_wallet_threshold)

    statement_sub = actions(sub, "statement", "statements of what partners owe")
    issue = statement_sub.add_parser(
        "issue",
        help="list a period's DUE vouchers (they become WAITING)",
        description="List the partner's DUE vouchers confirmed from the first day to the last "
        "day, both included (days in TIME_ZONE, UTC by default): --from 2026-03-01 --to "
        "2026-03-31 is March. They become WAITING until the statement is paid.",
    )
    issue.add_argument("partner")
    add_period(issue)
    issue.add_argument("--csv", help="also write the statement as CSV to this file")
    issue.add_argument("--pdf", help="also write the statement as PDF to this file")
    issue.set_defaults(handler=cmd_statement_issue)
    pay = statement_sub.add_parser(
        "pay", help="record a statement's payment (its vouchers become PAID)"
    )
    pay.add_argument("statement", type=int)
    pay.add_argument("--reference", required=True, help="the bank transfer's reference")
    pay.add_argument("--idempotency-key")
    pay.set_defaults(handler=cmd_statement_pay)

    report_sub = actions(sub, "report", "reports")
    stores = report_sub.add_parser(
        "stores",
        help="per store: value issued, bonus funded, owed",
        description="Per store, for the vouchers confirmed from the first day to the last day "
        "(both included) and not refunded: value issued, bonus funded, what it is owed.",
    )
    add_period(stores)
    stores.set_defaults(handler=cmd_report_stores)
