"""A partner's vouchers: list, read, confirm, cancel, refund (apikey or partner token).

A session credential reads only the voucher it reserved. Another partner's voucher is a 404,
never a 403: its existence is not ours to reveal.
"""

from datetime import datetime
from uuid import UUID

from ninja import Query, Router, Schema
from pydantic import Field

from jackpot.api.auth import partner_auth, session_auth
from jackpot.api.responses import json_answer
from jackpot.api.schemas import CancelRequest, ProblemOut, RefundRequest, VoucherOut, VoucherPage
from jackpot.core.problems import voucher_not_found
from jackpot.vouchers import lifecycle, queries
from jackpot.vouchers.models import Voucher
from jackpot.vouchers.representation import voucher_object

router = Router(tags=["Vouchers"])
ERRORS = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


def _actor(request) -> str:
    return f"partner:{request.jackpot_partner.pk}"


def _transition(request, voucher_id, action: str, payload=None):
    """Run `action` on the partner's voucher; the reason the partner gave, if any, is journalled
    as written (the journal says what happened and who did it on its own)."""
    reason = (payload.reason if payload else None) or ""
    voucher = lifecycle.transition(
        voucher_id, action, _actor(request), partner_id=request.jackpot_partner.pk, reason=reason
    )
    return json_answer(voucher_object(voucher))


# What every transition answers, and who may ask for one.
TRANSITION = {"response": {200: VoucherOut, **ERRORS}, "auth": partner_auth}


class VoucherFilters(Schema):
    state: str | None = Field(None, description="One state or several, comma-separated.")
    paymentState: str | None = Field(None, description="DUE, WAITING or PAID.")  # noqa: N815
    reservedFrom: datetime | None = Field(None, description="Reserved at or after (ISO 8601).")  # noqa: N815
    reservedTo: datetime | None = Field(None, description="Reserved before (ISO 8601).")  # noqa: N815
    notificationKey: str | None = Field(None, max_length=128)  # noqa: N815
    userId: str | None = Field(None, max_length=128)  # noqa: N815
    storeId: str | None = Field(None, max_length=64)  # noqa: N815
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


@router.get(
    "/vouchers",
    response={200: VoucherPage, **ERRORS},
    auth=partner_auth,
    summary="List your vouchers",
    description="Newest first. Follow `nextCursor` until it is null; the order is stable.",
)
def list_vouchers(request, filters: Query[VoucherFilters]):
    wanted = queries.VoucherFilter(
        state=[s.strip() for s in filters.state.split(",") if s.strip()] if filters.state else None,
        payment_state=filters.paymentState,
        reserved_from=filters.reservedFrom,
        reserved_to=filters.reservedTo,
        notification_key=filters.notificationKey,
        user_id=filters.userId,
        store_id=filters.storeId,
    )
    found = queries.page(request.jackpot_partner.pk, wanted, filters.limit, filters.cursor)
    return found.answer(voucher_object)


@router.get(
    "/voucher/{voucher_id}",
    response={200: VoucherOut, **ERRORS},
    auth=[*partner_auth, session_auth],
    summary="Read a voucher",
)
def get_voucher(request, voucher_id: UUID):
    vouchers = Voucher.objects.select_related("partner", "store").filter(
        partner=request.jackpot_partner
    )
    if request.jackpot_session is not None:  # a session sees the voucher it reserved, only
        vouchers = vouchers.filter(session=request.jackpot_session)
    voucher = vouchers.filter(pk=voucher_id).first()
    if voucher is None:
        raise voucher_not_found()
    return voucher_object(voucher)


@router.put(
    "/voucher/{voucher_id}/confirm",
    **TRANSITION,
    summary="Confirm a reserved voucher",
    description="RESERVED → CONFIRMED. Any other state answers `voucher-state-conflict` (409). "
    "Send an `Idempotency-Key` to retry safely.",
)
def confirm_voucher(request, voucher_id: UUID):
    return _transition(request, voucher_id, "confirm")


@router.put(
    "/voucher/{voucher_id}/cancel",
    **TRANSITION,
    summary="Cancel a reserved voucher",
    description="RESERVED → CANCELED; the campaign gets its budget back.",
)
def cancel_voucher(request, voucher_id: UUID, payload: CancelRequest | None = None):
    return _transition(request, voucher_id, "cancel", payload)


@router.post(
    "/voucher/{voucher_id}/refund",
    **TRANSITION,
    summary="Ask for a delivered voucher to be refunded",
    description="READY or SENT → REFUNDING; the operator then accepts or refuses the refund.",
)
def refund_voucher(request, voucher_id: UUID, payload: RefundRequest | None = None):
    return _transition(request, voucher_id, "refund", payload)
