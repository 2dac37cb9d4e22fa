"""`Idempotency-Key` on state-changing API calls, with Stripe's semantics.

The first request with a key runs and its response (status and body) is kept for
`JACKPOT_IDEMPOTENCY_TTL`; the same key with the same request replays that response; with a
different request it is a 422; while the first is still running, later ones wait for it (so
simultaneous retries get identical answers) and give up with a 409 after
`JACKPOT_IDEMPOTENCY_WAIT` seconds. Server errors (5xx) are not kept: the key may be retried.

A claim still unfinished after `ABANDONED_AFTER` belongs to a request that will never finish it:
its server was killed, or the database went away before the claim could be released. The next
request with the key takes it over and runs, instead of waiting for it until the record expires.
"""

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.db import Error, IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone

from jackpot.api.credentials import verified_scope
from jackpot.api.models import IdempotencyRecord
from jackpot.api.problems import problem_response
from jackpot.core.outages import is_database_outage
from jackpot.core.paths import api_path, under_api
from jackpot.core.problems import Problem
from jackpot.core.pruning import UNTIL_DONE, Budget, delete_in_batches

HEADER = "Idempotency-Key"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# The token exchange is single-use by nature, and its answer holds a credential we never store.
EXEMPT_PATHS = {api_path("token")}
# Far longer than a request runs: the busy timeouts and lock waits that may hold one are seconds.
ABANDONED_AFTER = timedelta(minutes=1)


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    now = timezone.now()
    expired = now - timedelta(seconds=settings.JACKPOT_IDEMPOTENCY_TTL)
    abandoned = Q(status_code__isnull=True, created_at__lt=now - ABANDONED_AFTER)
    IdempotencyRecord.objects.filter(scope=scope, key=key).filter(
        Q(created_at__lt=expired) | abandoned
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                scope=scope, key=key, fingerprint=fingerprint
            ), True
    except IntegrityError:
        return IdempotencyRecord.objects.get(scope=scope, key=key), False


def _release(record: IdempotencyRecord) -> None:
    """Forget the claim of a request that answered a server error, so its key may be retried."""
    try:
        record.delete()
    except Error as exc:
        if not is_database_outage(exc):
            raise
        # The database is away (the answer is already its 503): the claim stays unfinished
        # until the next request with the key takes it over, after ABANDONED_AFTER.


def _wait_for(record: IdempotencyRecord) -> IdempotencyRecord | None:
    deadline = time.monotonic() + settings.JACKPOT_IDEMPOTENCY_WAIT
    while record.status_code is None and time.monotonic() < deadline:
        time.sleep(0.05)
        record = IdempotencyRecord.objects.filter(pk=record.pk).first()
        if record is None:  # the first attempt failed with a server error: nothing to replay
            return None
    return record


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if (
            key is None
            or request.method not in STATE_CHANGING
            or not under_api(request.path)
            or request.path in EXEMPT_PATHS
        ):
            return self.get_response(request)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            return problem_response(
                request,
                Problem(
                    "invalid-idempotency-key",
                    "Invalid Idempotency-Key",
                    400,
                    "An Idempotency-Key is 1 to 255 printable characters, a UUID v4 for instance.",
                ),
            )
        scope = verified_scope(request)
        if scope is None:  # no verified credential: the API answers 401, nothing is written
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        record, mine = _claim(scope, key, fingerprint)
        if not mine:
            return self._answer_again(request, record, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 500 or response.streaming:
            _release(record)  # a 503 while the database is away included: retry the key later
            return response
        # Filtered on the claim being still unfinished: after a takeover it is another's.
        IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
        )
        return response

    def _answer_again(self, request, record, fingerprint):
        if record.fingerprint != fingerprint:
            return problem_response(
                request,
                Problem(
                    "idempotency-key-reused",
                    "This Idempotency-Key was used for another request",
                    422,
                    "Send a new key for a new request; reuse a key only to retry the same request.",
                ),
            )
        finished = _wait_for(record)
        if finished is None or finished.status_code is None:
            return problem_response(
                request,
                Problem(
                    "idempotency-request-in-flight",
                    "A request with this Idempotency-Key is running",
                    409,
                    "Retry in a moment to get its answer.",
                ),
                {"Retry-After": "1"},
            )
        return _replay(finished)


def expired(now) -> QuerySet:
    """Records older than the replay window, the oldest first."""
    cutoff = now - timedelta(seconds=settings.JACKPOT_IDEMPOTENCY_TTL)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("created_at")


def prune(now=None, budget: Budget = UNTIL_DONE) -> int:
    """Forget responses older than the replay window, in batches (`core.pruning`); run by the
    worker."""
    return delete_in_batches(expired(now or timezone.now()), budget)
