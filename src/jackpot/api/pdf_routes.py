"""The voucher's PDF behind its signed link (`url` of the voucher object).

No credential but the link: `sig` is checked against the voucher id (Django's TimestampSigner,
valid `JACKPOT_PDF_LINK_TTL` seconds). Expired, altered or another voucher's → 403
`invalid-link`; ask the API for the voucher again to get a fresh link.

The PDF is drawn on each request (`vouchers.rendering`: about 3 ms, nothing stored), the same
bytes every time, with a strong ETag: a browser revalidates (`Cache-Control: private, no-cache`)
and gets a 304 while the page is unchanged, and the 404 once the voucher was refunded.
"""

from uuid import UUID

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from ninja import Query, Router, Schema
from pydantic import Field

from jackpot.api.schemas import ProblemOut
from jackpot.core.problems import Problem
from jackpot.vouchers import links, mail, rendering
from jackpot.vouchers.models import Voucher

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
                "headers": {
                    "ETag": {
                        "description": "Strong validator of these bytes: send it back in "
                        "`If-None-Match` for a 304.",
                        "schema": {"type": "string"},
                    }
                },
            },
            "304": {"description": "Unchanged since the `If-None-Match` ETag: no body."},
        }
    },
)
def voucher_pdf(request, voucher_id: UUID, query: Query[LinkQuery]):
    if not links.check(voucher_id, query.sig):
        raise invalid_link()
    voucher = Voucher.objects.filter(pk=voucher_id).select_related("store").first()
    if voucher is None or voucher.state not in links.WITH_PDF:
        raise Problem(
            "pdf-not-available",
            "This voucher has no PDF",
            404,
            "The voucher has no PDF now (not ready yet, or refunded).",
        )
    content = rendering.render(voucher)
    tag = rendering.etag(content)
    if unchanged(request, tag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{mail.filename(voucher)}"'
        response["Referrer-Policy"] = "no-referrer"
        response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = tag
    # Kept by the browser only, and checked again each time: a refunded voucher's PDF goes.
    response["Cache-Control"] = "private, no-cache"
    return response


def unchanged(request, tag: str) -> bool:
    """Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 §13.1.2 says)."""
    asked = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in asked or any(t.removeprefix("W/") == tag for t in asked)
