"""POST /v2/token: a partner JWT becomes a session bearer token."""

from django.conf import settings
from ninja import Router

from jackpot.api.schemas import ProblemOut, TokenRequest, TokenResponse
from jackpot.core.formats import amount, iso
from jackpot.core.metrics import TOKEN_EXCHANGES
from jackpot.core.problems import Problem, invalid_field
from jackpot.partners import credentials
from jackpot.tokens import sessions

router = Router(tags=["Authentication"])


@router.post(
    "/token",
    response={200: TokenResponse, 401: ProblemOut, 409: ProblemOut, 422: ProblemOut},
    summary="Get a bearer token: a session (partner JWT) or a partner token (client secret)",
    description=(
        "**jwt-bearer** (default): exchanges the one-time partner JWT (signed HS256 with your "
        "apiSignature) for a session bearer token valid one hour or until a voucher is reserved. "
        "The partner is found from the token's `iss` claim or `kid` header, else `client_id`, "
        "else the browser's Origin. A token can be exchanged once: a replay is refused with "
        "`token-already-used`. A token signed with your *test* apiSignature opens a test "
        "session (`session.livemode` false): its vouchers are test vouchers.\n\n"
        "**client_credentials**: your partner id and clientSecret give a one-hour partner token "
        "for your servers (the same rights as your apikey); your test clientSecret "
        "(`jcs_test_…`) gives one that sees test vouchers only."
    ),
)
def exchange_token(request, payload: TokenRequest):
    if payload.grant_type == "client_credentials":
        return _client_credentials(payload)
    if payload.client_secret is not None:
        raise invalid_field(
            "client_secret",
            "only with client_credentials",
            "client_secret: only with grant_type client_credentials",
        )
    token = payload.assertion or payload.token
    if not token:
        raise invalid_field("assertion", "the partner JWT is required", "assertion: is required")
    try:
        opened = sessions.exchange(
            token, client_id=payload.client_id, origin=request.headers.get("Origin")
        )
    except Problem as refusal:
        TOKEN_EXCHANGES.labels(refusal.code).inc()
        raise
    TOKEN_EXCHANGES.labels("accepted").inc()
    session = opened.session
    return {
        "access_token": opened.credential,
        "token_type": "Bearer",
        "expires_in": settings.JACKPOT_SESSION_TTL,
        "scope": "session",
        "session": {
            "id": str(session.id),
            "partnerId": session.partner.live_id,
            "livemode": session.partner.livemode,
            "amount": amount(session.amount),
            "currency": session.currency,
            "notificationKey": session.notification_key,
            "userId": session.user_id or None,
            "expiresAt": iso(session.expires_at),
        },
    }


def _client_credentials(payload: TokenRequest) -> dict:
    partner = credentials.partner_for_client_credentials(
        payload.client_id or "", payload.client_secret or ""
    )
    if partner is None:
        raise Problem(
            "invalid-client",
            "Unknown client or wrong secret",
            401,
            "client_credentials needs your partner id as client_id and your clientSecret.",
        )
    token, record = credentials.issue_access_token(partner)
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": int((record.expires_at - record.created_at).total_seconds()),
        "scope": "partner",
        "session": None,
    }
