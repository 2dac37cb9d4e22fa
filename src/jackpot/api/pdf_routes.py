"""The voucher's PDF behind its signed link (`url` of the voucher object).

No credential but the link: `sig` is checked against the voucher id (Django's TimestampSigner,
valid `JACKPOT_PDF_LINK_TTL` seconds). Expired, altered or another voucher's → 403
`invalid-link`; ask the API for the voucher again to get a fresh link.
"""

from uuid import UUID

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from jackpot.api.schemas import ProblemOut
from jackpot.core.problems import Problem
from jackpot.vouchers import links, mail
from jackpot.vouchers.models import Voucher, VoucherDocument

router = Router(tags=["Vouchers"])


class LinkQuery(Schema):
    sig: str = Field("", max_length=200, description="The signature of the voucher's `url`.")


def invalid_link() -> Problem:
    return Problem(
        "invalid-link",
        "This link is not valid",
        403,
        "The link expired, was altered, or belongs to another voucher. Read the voucher again "
        "for a fresh `url` (valid one hour).",
    )


@router.get(
    "/voucher/{voucher_id}/pdf",
    response={403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    auth=None,
    summary="Download a voucher's PDF (signed link)",
    description="Follow the voucher object's `url`; the link itself is the credential.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The voucher's PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def voucher_pdf(request, voucher_id: UUID, query: Query[LinkQuery]):
    if not links.check(voucher_id, query.sig):
        raise invalid_link()
    voucher = Voucher.objects.filter(pk=voucher_id).only("pk", "state", "coupon_id").first()
    document = VoucherDocument.objects.filter(voucher_id=voucher_id).first()
    if voucher is None or document is None or voucher.state not in links.WITH_PDF:
        raise Problem(
            "pdf-not-available",
            "This voucher has no PDF",
            404,
            "The voucher has no PDF now (not ready yet, or refunded).",
        )
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{mail.filename(voucher)}"'
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    return response
