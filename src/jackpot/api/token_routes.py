"""POST /v2/token: a partner JWT becomes a session bearer token."""

from django.conf import settings
from ninja import Router

from jackpot.api.schemas import ProblemOut, TokenRequest, TokenResponse
from jackpot.core.formats import amount, iso
from jackpot.core.problems import Problem
from jackpot.tokens import sessions

router = Router(tags=["Authentication"])


@router.post(
    "/token",
    response={200: TokenResponse, 401: ProblemOut, 409: ProblemOut, 422: ProblemOut},
    summary="Exchange a partner token for a session",
    description=(
        "Exchanges the one-time partner JWT (signed HS256 with your apiSignature) for a session "
        "bearer token valid one hour or until a voucher is reserved. The partner is found from "
        "the token's `iss` claim or `kid` header, else `client_id`, else the browser's Origin. "
        "A token can be exchanged once: a replay is refused with `token-already-used`."
    ),
)
def exchange_token(request, payload: TokenRequest):
    token = payload.assertion or payload.token
    if not token:
        raise Problem(
            "validation-error",
            "The request is invalid",
            422,
            "assertion: is required",
            errors=[{"field": "assertion", "message": "the partner JWT is required"}],
        )
    opened = sessions.exchange(
        token, client_id=payload.client_id, origin=request.headers.get("Origin")
    )
    session = opened.session
    return {
        "access_token": opened.credential,
        "token_type": "Bearer",
        "expires_in": settings.JACKPOT_SESSION_TTL,
        "session": {
            "id": str(session.id),
            "partnerId": session.partner_id,
            "amount": amount(session.amount),
            "currency": session.currency,
            "notificationKey": session.notification_key,
            "userId": session.user_id or None,
            "expiresAt": iso(session.expires_at),
        },
    }
