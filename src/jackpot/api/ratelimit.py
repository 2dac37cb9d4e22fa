"""Per-credential rate limits on the API, counted in Django's cache (Redis when configured).

A fixed one-minute window per verified credential, or per client address for calls without one
(a credential that does not verify counts as none): cheap, shared by every app server when the
cache is Redis, and precise enough for abuse control. While the cache cannot be reached the
limits fail open (`core.shared_cache`): the API keeps serving, without RateLimit headers.
"""

import time

from django.conf import settings

from jackpot.api.credentials import verified_scope
from jackpot.api.problems import problem_response
from jackpot.core import shared_cache
from jackpot.core.metrics import RATE_LIMITED
from jackpot.core.paths import under_api
from jackpot.core.problems import Problem
from jackpot.core.proxies import request_client

WINDOW = 60


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not under_api(request.path) or request.method == "OPTIONS":
            return self.get_response(request)
        scope = verified_scope(request)
        limit = settings.JACKPOT_RATE_LIMIT if scope else settings.JACKPOT_RATE_LIMIT_ANONYMOUS
        if limit <= 0:
            return self.get_response(request)
        now = time.time()
        window = int(now // WINDOW)
        counter = f"jackpot:rl:{scope or 'ip:' + (request_client(request) or 'unknown')}:{window}"
        count = shared_cache.count(counter, WINDOW + 5)
        if count is None:  # the cache is unreachable: fail open
            return self.get_response(request)
        remaining = max(limit - count, 0)
        reset = int((window + 1) * WINDOW - now) + 1
        if count > limit:
            RATE_LIMITED.labels("credential" if scope else "address").inc()
            response = problem_response(
                request,
                Problem(
                    "rate-limited",
                    "Too many requests",
                    429,
                    f"This credential may make {limit} requests a minute; retry after {reset} s.",
                ),
                {"Retry-After": str(reset)},
            )
        else:
            response = self.get_response(request)
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(remaining)
        response["RateLimit-Reset"] = str(reset)
        return response
