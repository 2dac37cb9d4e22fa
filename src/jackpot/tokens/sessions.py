"""Exchanging a partner token for a session, once, and finding the session behind a credential."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jackpot.core.compiled import CompiledQuery, insert
from jackpot.core.problems import Problem
from jackpot.core.pruning import UNTIL_DONE, Budget, delete_in_batches
from jackpot.tokens import verification
from jackpot.tokens.models import Session, TokenBurn

CREDENTIAL_PREFIX = "jks_"


@dataclass(frozen=True)
class OpenedSession:
    session: Session
    credential: str  # shown once to the caller; only its digest is stored


def _digest(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


def token_already_used() -> Problem:
    return Problem(
        "token-already-used",
        "The partner token was already used",
        409,
        "A token opens one session only; build a new token for each visit.",
    )


def exchange(
    token: str, *, client_id: str | None = None, origin: str | None = None
) -> OpenedSession:
    """Verify the token, burn it and open its session, all or nothing.

    The burn is an INSERT under a unique constraint on (partner, digest of signed input): of two
    concurrent exchanges one inserts, the other gets an IntegrityError and opens nothing. It is
    the transaction's only constraint that can clash (the session's credential digest is 256
    random bits), so the whole transaction is the guard: no savepoint round trips.
    """
    verified = verification.verify(token, client_id=client_id, origin=origin)
    claims = verified.claims
    now = timezone.now()
    credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            insert(TokenBurn(partner=verified.partner, digest=verified.digest, burned_at=now))
            session = _open(verified, claims, credential, origin, now)
    except IntegrityError:
        raise token_already_used() from None
    return OpenedSession(session, credential)


def _open(verified, claims, credential: str, origin: str | None, now) -> Session:
    return insert(
        Session(
            partner=verified.partner,
            credential_digest=_digest(credential),
            amount=claims.amount,
            currency=verified.partner.currency,
            claims=verified.payload,
            notification_key=claims.notification_key,
            user_id=claims.user_id,
            postcode=claims.postcode,
            age=claims.age,
            gender=claims.gender,
            force_manual_confirm=claims.force_manual_confirm,
            email=claims.email,
            custom_transaction_id=claims.custom_transaction_id,
            origin=(origin or "")[:300],
            created_at=now,
            expires_at=now + timedelta(seconds=settings.JACKPOT_SESSION_TTL),
        )
    )


_by_credential = CompiledQuery(
    lambda digest: Session.objects.select_related("partner").filter(credential_digest=digest),
    "0" * 64,
)


def session_for_credential(credential: str) -> Session | None:
    """The session a bearer credential opens (live or not: the route says which), or None."""
    if not credential or not credential.startswith(CREDENTIAL_PREFIX):
        return None
    return _by_credential.first(_digest(credential))


def stale_burns(now) -> QuerySet:
    """Burns of tokens too old to be accepted anyway, the oldest first."""
    cutoff = now - timedelta(
        seconds=settings.JACKPOT_TOKEN_MAX_AGE + settings.JACKPOT_TOKEN_CLOCK_SKEW
    )
    return TokenBurn.objects.filter(burned_at__lt=cutoff).order_by("burned_at")


def prune_burns(now=None, budget: Budget = UNTIL_DONE) -> int:
    """Forget stale burns in batches (`core.pruning`); returns how many went."""
    return delete_in_batches(stale_burns(now or timezone.now()), budget)
