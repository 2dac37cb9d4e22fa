"""Per-credential rate limits on the API, counted in Django's cache (Redis when configured).

A fixed one-minute window per credential (or per client address for calls without one):
cheap, shared by every app server when the cache is Redis, and precise enough for abuse control.
"""

import time

from django.conf import settings
from django.core.cache import cache

from jackpot.api.credentials import client_address, credential_scope
from jackpot.api.problems import problem_response
from jackpot.core.paths import under_api
from jackpot.core.problems import Problem

WINDOW = 60


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not under_api(request.path) or request.method == "OPTIONS":
            return self.get_response(request)
        scope = credential_scope(request)
        limit = settings.JACKPOT_RATE_LIMIT if scope else settings.JACKPOT_RATE_LIMIT_ANONYMOUS
        if limit <= 0:
            return self.get_response(request)
        now = time.time()
        window = int(now // WINDOW)
        counter = f"jackpot:rl:{scope or 'ip:' + client_address(request)}:{window}"
        if cache.add(counter, 1, WINDOW + 5):
            count = 1
        else:
            try:
                count = cache.incr(counter)
            except ValueError:  # expired between add and incr
                cache.set(counter, 1, WINDOW + 5)
                count = 1
        remaining = max(limit - count, 0)
        reset = int((window + 1) * WINDOW - now) + 1
        if count > limit:
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
