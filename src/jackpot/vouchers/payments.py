"""How a voucher is paid (SPEC §7): from the wallet at confirmation, or by statement later.

`paymentState` always agrees with the ledger: PAID vouchers have a payment transaction whose
reference is `voucher:<id>` (wallet) or their statement's `statement:<id>` (transfer); DUE and
WAITING vouchers have none. A refund reverses the payment into the partner's wallet and leaves
the voucher with no payment state (`reverse_payment`).
"""

import uuid
from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from jackpot.core import keyset
from jackpot.core.downloads import csv_lines
from jackpot.core.formats import iso
from jackpot.core.money import exact
from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Transaction
from jackpot.partners.models import Partner
from jackpot.vouchers.models import PaymentState, State, Statement, Voucher

# Vouchers still owed for: issued, or refused a refund, or waiting for the refund decision (a
# refund accepted later takes the voucher back off its unpaid statement).
UNPAID_STATES = {State.CONFIRMED, State.READY, State.SENT, State.REFUNDING, State.REFUND_REJECTED}
# Vouchers whose codes were issued and not taken back by a refund.
REPORTED_STATES = [State.CONFIRMED, State.READY, State.SENT, State.REFUNDING, State.REFUND_REJECTED]


REFERENCE_PREFIX = "voucher:"


def reference(voucher: Voucher) -> str:
    """The ledger reference of a voucher's money movements (`Transaction.reference`)."""
    return f"{REFERENCE_PREFIX}{voucher.pk}"


def statement_reference(statement: Statement) -> str:
    """The ledger reference of a statement's settlement by bank transfer."""
    return f"statement:{statement.pk}"


def voucher_id_of(reference_text: str) -> uuid.UUID | None:
    """The voucher a ledger reference written by `reference` names, None for any other."""
    if not reference_text.startswith(REFERENCE_PREFIX):
        return None
    try:
        return uuid.UUID(reference_text.removeprefix(REFERENCE_PREFIX))
    except ValueError:
        return None


def pay_at_confirmation(voucher: Voucher) -> None:
    """Debit the wallet when it covers the price (PAID), else leave the voucher DUE.

    A test voucher is DUE and stays so: no wallet is debited, no statement ever lists it
    (`issue_statement` refuses a test twin), so no money moves for it.
    """
    if not voucher.partner.livemode:
        voucher.payment_state = PaymentState.DUE
        return
    txn = ledger.debit_wallet_if_covered(
        voucher.partner, voucher.price, reference=reference(voucher)
    )
    if txn is None:
        voucher.payment_state = PaymentState.DUE
    else:
        voucher.payment_state = PaymentState.PAID
        voucher.wallet_operation_id = str(txn.id)


def reverse_payment(voucher: Voucher, actor: str) -> Transaction | None:
    """On an accepted refund, the partner stops owing the voucher's price.

    PAID: the price goes back to the wallet (reversing the wallet payment when there was one).
    WAITING: the voucher leaves its unpaid statement, whose total drops by its price.
    DUE: nothing was billed nor paid; nothing moves.

    In every case the voucher is left with no payment state (null, as one never confirmed):
    nothing is owed for it and nothing stays paid for it. DUE would say a statement will bill
    it, PAID that its price is spent, and neither is true once the money is back. The wallet
    payment a PAID voucher names (`walletOperationId`) stays, reversed in the ledger.
    """
    was = voucher.payment_state
    voucher.payment_state = ""
    if was == PaymentState.WAITING and voucher.statement_id:
        statement = Statement.objects.select_for_update().get(pk=voucher.statement_id)
        if statement.paid_at is None:
            statement.total = statement.total - voucher.price
            statement.voucher_count = F("voucher_count") - 1
            statement.save(update_fields=["total", "voucher_count"])
            voucher.statement = None
            return None
    if was != PaymentState.PAID:
        return None
    paid_by = (
        Transaction.objects.filter(pk=voucher.wallet_operation_id).first()
        if voucher.wallet_operation_id
        else None
    )
    return ledger.refund_to_wallet(
        voucher.partner,
        voucher.price,
        reference=reference(voucher),
        created_by=actor,
        reverses=paid_by,
    )


def due_in_period(partner_id: str, start: datetime, end: datetime):
    """What a statement for [start, end) bills, locked: the partner's DUE vouchers confirmed then.

    Read from `voucher_due_by_confirmation` (partner, confirm_date where DUE): the few rows that
    are still due, never the partner's whole history.
    """
    return (
        Voucher.objects.select_for_update()
        .filter(
            partner_id=partner_id,
            payment_state=PaymentState.DUE,
            state__in=UNPAID_STATES,
            confirm_date__gte=start,
            confirm_date__lt=end,
        )
        .values_list("pk", flat=True)
    )


@transaction.atomic
def issue_statement(partner: Partner, start: datetime, end: datetime, actor: str) -> Statement:
    """List the partner's DUE vouchers confirmed in [start, end) and move them to WAITING."""
    if end <= start:
        raise Problem("invalid-period", "The period ends before it starts", 422)
    if not partner.livemode:
        raise Problem(
            "test-mode-partner",
            "Test mode is never billed",
            409,
            "Test vouchers carry no money: statements are issued for live partners only.",
        )
    ids = list(due_in_period(partner.pk, start, end))
    if not ids:
        raise Problem(
            "nothing-due",
            "Nothing is due for this period",
            409,
            f"{partner.pk} has no DUE voucher confirmed in that period.",
        )
    total = exact(Voucher.objects.filter(pk__in=ids).aggregate(total=Sum("price"))["total"])
    statement = Statement.objects.create(
        partner=partner,
        period_start=start,
        period_end=end,
        currency=partner.currency,
        total=total,
        voucher_count=len(ids),
        issued_by=actor,
    )
    Voucher.objects.filter(pk__in=ids).update(
        payment_state=PaymentState.WAITING, statement=statement
    )
    return statement


@transaction.atomic
def record_statement_payment(
    statement: Statement, *, payment_reference: str, actor: str, idempotency_key: str | None = None
) -> Statement:
    """The partner paid the statement: one ledger transaction, its vouchers become PAID."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.paid_at is not None:
        replayed = (
            idempotency_key
            and Transaction.objects.filter(
                pk=statement.transaction_id or None, idempotency_key=idempotency_key
            ).exists()
        )
        if replayed:  # the same payment sent again: its first answer
            return statement
        raise Problem("statement-already-paid", "This statement is already paid", 409)
    if not statement.vouchers.exists():  # every voucher it listed was refunded before payment
        raise Problem(
            "statement-empty",
            "Nothing is left to pay on this statement",
            409,
            "Every voucher it listed was refunded; its total is 0.",
        )
    txn = ledger.settle_by_transfer(
        statement.partner,
        statement.total,
        reference=statement_reference(statement),
        created_by=actor,
        idempotency_key=idempotency_key,
    )
    statement.paid_at = timezone.now()
    statement.payment_reference = payment_reference[:200]
    statement.transaction_id = str(txn.id)
    statement.save(update_fields=["paid_at", "payment_reference", "transaction_id"])
    statement.vouchers.filter(payment_state=PaymentState.WAITING).update(
        payment_state=PaymentState.PAID
    )
    return statement


STATEMENT_COLUMNS = [
    "couponId",
    "voucherId",
    "storeId",
    "confirmDate",
    "price",
    "value",
    "currency",
]


CHUNK = 500  # vouchers read per query while a statement's file is made


def listed_vouchers(statement: Statement):
    """The statement's vouchers in the order of its files, read from `voucher_statement_lines`."""
    return statement.vouchers.order_by("confirm_date", "pk")


def statement_rows(statement: Statement) -> Iterator[list[str]]:
    """The statement's vouchers by confirmation, read `CHUNK` at a time (`core.keyset`, on the
    index `voucher_statement_lines`): a statement of any size costs one chunk of memory."""
    vouchers = keyset.walk(statement.vouchers.all(), "confirm_date", False, CHUNK)
    for v in vouchers:
        yield [
            v.coupon_id,
            str(v.pk),
            v.store_id,
            iso(v.confirm_date),
            str(v.price),
            str(v.value),
            v.currency,
        ]


def statement_file(statement: Statement, kind: str) -> tuple[Iterator[str] | bytes, str]:
    """The statement as `kind` ("csv": its lines, made as they are sent; "pdf": the document)
    and its content type, as every download sends it (`core.downloads.attachment`)."""
    if kind == "csv":
        return statement_lines(statement), "text/csv; charset=utf-8"
    return statement_pdf(statement), "application/pdf"


def statement_lines(statement: Statement) -> Iterator[str]:
    """The statement's CSV line by line: the columns, a line per voucher, then the total."""
    yield from csv_lines([STATEMENT_COLUMNS])
    yield from csv_lines(statement_rows(statement))
    yield from csv_lines([["TOTAL", "", "", "", str(statement.total), "", statement.currency]])


def statement_pdf(statement: Statement) -> bytes:
    from jackpot.vouchers import statement_pdf as document

    return document.render(statement)


def store_report(start: datetime, end: datetime) -> list[dict]:
    """Per store, for vouchers confirmed in [start, end) and not refunded: what it is owed.

    A store issues codes worth `value`, funds the `bonus` (value − price) and is owed the price.
    Test vouchers (a partner's test mode) issue no real code and fund nothing: left out.
    """
    rows = (
        Voucher.objects.filter(
            confirm_date__gte=start,
            confirm_date__lt=end,
            state__in=REPORTED_STATES,
            partner__live_partner__isnull=True,
        )
        .values("store_id", "store__name", "currency")
        .annotate(value=Sum("value"), price=Sum("price"), vouchers=Count("pk"))
        .order_by("store__name", "store_id")
    )
    return [
        {
            "storeId": r["store_id"],
            "storeName": r["store__name"],
            "currency": r["currency"],
            "vouchers": r["vouchers"],
            "valueIssued": exact(r["value"]),
            "bonusFunded": exact(r["value"]) - exact(r["price"]),
            "owed": exact(r["price"]),
        }
        for r in rows
    ]
