"""The partner's money: wallet balance and history, statements (apikey or partner token)."""

from ninja import Query, Router, Schema
from pydantic import Field

from jackpot.api.auth import partner_auth
from jackpot.api.schemas import Money, ProblemOut
from jackpot.core import cursors
from jackpot.core.downloads import attachment
from jackpot.core.formats import amount, iso
from jackpot.core.problems import Problem, invalid_field
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry
from jackpot.vouchers import payments, queries
from jackpot.vouchers.models import Statement

router = Router(tags=["Money"], auth=partner_auth)
ERRORS = {401: ProblemOut, 404: ProblemOut, 422: ProblemOut}


class WalletOut(Schema):
    balance: Money
    currency: str
    lowBalanceThreshold: Money | None  # noqa: N815
    lowBalance: bool  # noqa: N815


class LedgerLine(Schema):
    transactionId: str  # noqa: N815
    kind: str
    reference: str
    description: str
    amount: Money = Field(description="Signed: + credits the wallet, − debits it.")
    createdAt: str  # noqa: N815


class LedgerPage(Schema):
    items: list[LedgerLine]
    nextCursor: str | None  # noqa: N815
    hasMore: bool  # noqa: N815


class LedgerQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=200)


class StatementOut(Schema):
    id: int
    periodStart: str  # noqa: N815
    periodEnd: str  # noqa: N815
    total: Money
    currency: str
    issuedAt: str  # noqa: N815
    paidAt: str | None  # noqa: N815
    vouchers: int = Field(description="How many vouchers the statement lists.")


class StatementPage(Schema):
    items: list[StatementOut]
    nextCursor: str | None = Field(  # noqa: N815
        description="Pass as `cursor` for the next page; null at the end."
    )
    hasMore: bool  # noqa: N815


class StatementQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=200)


@router.get("/wallet", response={200: WalletOut, **ERRORS}, summary="Your wallet's balance")
def wallet(request):
    status = ledger.wallet_status(request.jackpot_partner)
    return {
        "balance": amount(status.balance),
        "currency": status.currency,
        "lowBalanceThreshold": amount(status.low_balance_threshold),
        "lowBalance": status.low,
    }


def _cursor(entry: Entry) -> str:
    return cursors.encode(entry.created_at, entry.pk)


def _after(cursor: str) -> tuple:
    try:
        return cursors.decode(cursor, int)
    except cursors.CursorError:
        raise invalid_field(
            "cursor", "is not a cursor this API gave", "cursor: unknown cursor"
        ) from None


@router.get(
    "/wallet/ledger",
    response={200: LedgerPage, **ERRORS},
    summary="Your wallet's movements",
    description="Newest first; every movement is a ledger transaction (top-up, voucher payment, "
    "refund). Follow `nextCursor` until it is null.",
)
def wallet_ledger(request, query: Query[LedgerQuery]):
    account = ledger.wallet_account(request.jackpot_partner)
    after = _after(query.cursor) if query.cursor else None
    rows = list(ledger.entries_newest_first(account, after)[: query.limit + 1])
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {
        "items": [
            {
                "transactionId": str(e.transaction_id),
                "kind": e.transaction.kind,
                "reference": e.transaction.reference,
                "description": e.transaction.description,
                "amount": amount(e.amount),
                "createdAt": iso(e.transaction.created_at),
            }
            for e in rows
        ],
        "nextCursor": _cursor(rows[-1]) if has_more and rows else None,
        "hasMore": has_more,
    }


def _statement(request, statement_id: int) -> Statement:
    statement = queries.statements_of(request.jackpot_partner.pk).filter(pk=statement_id).first()
    if statement is None:
        raise Problem(
            "statement-not-found", "Statement not found", 404, "No such statement for this partner."
        )
    return statement


def statement_object(statement: Statement) -> dict:
    return {
        "id": statement.pk,
        "periodStart": iso(statement.period_start),
        "periodEnd": iso(statement.period_end),
        "total": amount(statement.total),
        "currency": statement.currency,
        "issuedAt": iso(statement.issued_at),
        "paidAt": iso(statement.paid_at),
        "vouchers": statement.voucher_count,  # queries.statements_of counts them
    }


@router.get(
    "/statements",
    response={200: StatementPage, **ERRORS},
    summary="Your statements",
    description="Newest first (by issue date). Follow `nextCursor` until it is null.",
)
def list_statements(request, query: Query[StatementQuery]):
    found = queries.statement_page(request.jackpot_partner.pk, query.limit, query.cursor)
    return found.answer(statement_object)


@router.get(
    "/statements/{statement_id}", response={200: StatementOut, **ERRORS}, summary="One statement"
)
def get_statement(request, statement_id: int):
    return statement_object(_statement(request, statement_id))


@router.get(
    "/statements/{statement_id}/csv",
    response={200: None, **ERRORS},
    summary="A statement as CSV",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def statement_csv(request, statement_id: int):
    return _statement_file(request, statement_id, "csv")


@router.get(
    "/statements/{statement_id}/pdf",
    response={200: None, **ERRORS},
    summary="A statement as PDF",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def statement_pdf(request, statement_id: int):
    return _statement_file(request, statement_id, "pdf")


def _statement_file(request, statement_id: int, kind: str):
    statement = _statement(request, statement_id)
    content, content_type = payments.statement_file(statement, kind)
    return attachment(content, content_type, f"jackpot-statement-{statement.pk}.{kind}")
