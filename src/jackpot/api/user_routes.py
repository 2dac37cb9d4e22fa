"""A partner acting for its users' personal data (SPEC §13): read it all, erase it at once.

Server to server (apikey or partner access token), rate limited like every partner call. The
userId is the one the partner's tokens carried, taken from the path as it is (a `/` in it is
sent encoded as %2F); everything else is `vouchers.personal_data` and `vouchers.personal_report`.
Another partner's user with the same userId is another person: never read, never touched. The
access log keeps the route (`v2/users/<path:userId>/…`), never the userId itself.
"""

from django.utils import timezone
from ninja import Path, Router, Schema
from pydantic import ConfigDict, Field

from jackpot.api.auth import partner_auth
from jackpot.api.responses import json_answer
from jackpot.api.schemas import ProblemOut
from jackpot.core.formats import iso
from jackpot.vouchers import personal_data, personal_report

router = Router(tags=["Personal data"], auth=partner_auth)
ERRORS = {401: ProblemOut, 422: ProblemOut}
USER_ID = Path(
    ...,
    description="The userId your tokens carried, e.g. `u-1234`: 1 to 128 printable characters "
    "(a `/` in it sent as %2F).",
)

EXAMPLE_VOUCHER = {
    "id": "0b5f2e0c-5a43-4a53-9d8e-2f7c0a1d9e11",
    "state": "SENT",
    "value": 110,
    "initialAmount": 100,
    "couponId": "KXQWERTYUP",
    "notificationKey": "order-1234",
    "userId": "u-1234",
    "email": "jeanne@example.com",
    "storeId": "sportmax",
    "personalDataErasedAt": None,
}


class PersonalDataOut(Schema):
    userId: str  # noqa: N815
    partnerId: str  # noqa: N815
    generatedAt: str  # noqa: N815
    vouchers: list[dict] = Field(
        description="Every voucher reserved for this user: the voucher object, plus `email`."
    )
    sessions: list[dict] = Field(
        description="The sessions this user's tokens opened that are still kept, with the "
        "personal claims they carried (`userId`, `cp`, `age`, `gender`, `email`)."
    )
    notifications: list[dict] = Field(
        description="The notifications kept about these vouchers, as they were sent."
    )
    erasures: list[dict] = Field(description="Earlier erasures asked for this user.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "userId": "u-1234",
                    "partnerId": "demo",
                    "generatedAt": "2026-12-06T10:00:00.000Z",
                    "vouchers": [EXAMPLE_VOUCHER],
                    "sessions": [
                        {
                            "id": "6f1c…",
                            "createdAt": "2026-12-01T09:59:00.000Z",
                            "userId": "u-1234",
                            "cp": "75011",
                            "age": 35,
                            "gender": "F",
                            "email": "jeanne@example.com",
                        }
                    ],
                    "notifications": [],
                    "erasures": [],
                }
            ]
        }
    )


class ErasedCounts(Schema):
    vouchers: int
    sessions: int
    notifications: int


class ErasureOut(Schema):
    """No userId in it: an answer kept for an Idempotency-Key replay keeps nothing personal."""

    erasedAt: str  # noqa: N815
    erased: ErasedCounts = Field(
        description="How many records this call erased: 0 everywhere when nothing was left."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "erasedAt": "2026-12-06T10:00:00.000Z",
                    "erased": {"vouchers": 2, "sessions": 1, "notifications": 5},
                }
            ]
        }
    )


def _actor(request) -> str:
    return f"partner:{request.jackpot_partner.pk}"


@router.get(
    "/users/{path:userId}/personal-data",
    response={200: PersonalDataOut, **ERRORS},
    summary="Everything held about one of your users",
    description="For a right-of-access request: the vouchers reserved under this `userId`, the "
    "sessions its tokens opened and the notifications kept about them, as JSON. Empty lists "
    "when nothing is held (never held, or erased). Only your own users are searched.",
)
def personal_data_of(request, userId: str = USER_ID):  # noqa: N803
    personal_data.checked_user_id(userId)
    response = json_answer(personal_report.held_about(request.jackpot_partner, userId))
    response["Cache-Control"] = "no-store, private"  # personal data: never kept by a cache
    return response


@router.post(
    "/users/{path:userId}/erase",
    response={200: ErasureOut, **ERRORS},
    summary="Erase one of your users' personal data",
    description="At once and for good: `userId`, e-mail, postcode, age and gender go from the "
    "user's vouchers (open ones included), sessions and kept notifications; amounts, dates, "
    "states, the store and the ids stay for the accounts, and the vouchers show "
    "`personalDataErasedAt`. Idempotent: a second call answers the same shape with 0 erased. "
    "Each call is written to the audit log, without the data.",
)
def erase_user(request, userId: str = USER_ID):  # noqa: N803
    personal_data.checked_user_id(userId)
    erased = personal_data.erase_user(request.jackpot_partner, userId, _actor(request))
    return json_answer({"erasedAt": iso(timezone.now()), "erased": erased.as_dict()})
