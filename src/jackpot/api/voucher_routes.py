"""A partner's vouchers: read, confirm, cancel (apikey header; a session reads its own)."""

from uuid import UUID

from ninja import Router

from jackpot.api.auth import apikey_auth, session_auth
from jackpot.api.schemas import CancelRequest, ProblemOut, VoucherOut
from jackpot.core.problems import Problem
from jackpot.vouchers import lifecycle
from jackpot.vouchers.models import Voucher
from jackpot.vouchers.representation import voucher_object

router = Router(tags=["Vouchers"])
ERRORS = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


def _actor(request) -> str:
    return f"partner:{request.jackpot_partner.pk}"


def _not_found() -> Problem:
    return Problem(
        "voucher-not-found", "Voucher not found", 404, "No such voucher for this partner."
    )


@router.get(
    "/voucher/{voucher_id}",
    response={200: VoucherOut, **ERRORS},
    auth=[apikey_auth, session_auth],
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
        raise _not_found()
    return voucher_object(voucher)


@router.put(
    "/voucher/{voucher_id}/confirm",
    response={200: VoucherOut, **ERRORS},
    auth=apikey_auth,
    summary="Confirm a reserved voucher",
    description="RESERVED → CONFIRMED. Any other state answers `voucher-state-conflict` (409).",
)
def confirm_voucher(request, voucher_id: UUID):
    voucher = lifecycle.transition(
        voucher_id, "confirm", _actor(request), partner_id=request.jackpot_partner.pk
    )
    return voucher_object(voucher)


@router.put(
    "/voucher/{voucher_id}/cancel",
    response={200: VoucherOut, **ERRORS},
    auth=apikey_auth,
    summary="Cancel a reserved voucher",
    description="RESERVED → CANCELED; the campaign gets its budget back.",
)
def cancel_voucher(request, voucher_id: UUID, payload: CancelRequest | None = None):
    reason = (payload.reason if payload else None) or "canceled by the partner"
    voucher = lifecycle.transition(
        voucher_id, "cancel", _actor(request), partner_id=request.jackpot_partner.pk, reason=reason
    )
    return voucher_object(voucher)
