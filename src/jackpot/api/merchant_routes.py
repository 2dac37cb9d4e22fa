"""The merchant API: a store checks and redeems the generated codes vouchers carry.

Authenticated with the store's key (`Authorization: Bearer jsk_…`, issued by `jackpot codes
store-key STORE`, kept as a SHA-256 digest). A store sees only its own codes: another store's
code, a typo (the checksum catches it) or an unknown code is the same 404 `code-not-found`.
"""
# ruff: noqa: N815 - field names are the contract's camelCase

from ninja import Router, Schema
from pydantic import ConfigDict, Field

from jackpot.api.auth import store_key
from jackpot.api.schemas import ProblemOut
from jackpot.vouchers.codes import merchant

router = Router(tags=["Merchant"])
ERRORS = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


class CodeRequest(Schema):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(
        min_length=1,
        max_length=80,
        description="The code as printed (dashes, spaces and lower case are accepted).",
    )


class CodeStatus(Schema):
    code: str = Field(description="The code, grouped as printed on the voucher.")
    valid: bool = Field(description="Issued, not redeemed, not expired, not void.")
    status: str = Field(description="`valid`, `redeemed`, `expired` or `void`.")
    value: int | float
    currency: str
    expiry: str | None = Field(description="Last day of validity (YYYY-MM-DD).")
    redeemed: bool
    redeemedAt: str | None


@router.post(
    "/merchant/codes/check",
    response={200: CodeStatus, **ERRORS},
    auth=store_key,
    summary="Check a code",
    description="What a code is worth and whether it can be used; changes nothing. A test "
    "voucher's code (TEST-…) is refused: 422 `test-voucher-code`.",
)
def check_code(request, payload: CodeRequest):
    return merchant.status(merchant.find_generated(request.jackpot_store, payload.code))


@router.post(
    "/merchant/codes/redeem",
    response={200: CodeStatus, **ERRORS},
    auth=store_key,
    summary="Redeem a code",
    description="Marks a valid code used, once: a second redemption is a 409 "
    "`code-already-redeemed` (also `code-void` after a refund, `code-expired`); a test "
    "voucher's code (TEST-…) is a 422 `test-voucher-code`.",
)
def redeem_code(request, payload: CodeRequest):
    store = request.jackpot_store
    return merchant.status(merchant.redeem(store, payload.code, actor=f"store:{store.pk}"))
