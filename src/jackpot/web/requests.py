"""The first middleware every request meets: who sent it, over what, under which id; how it went.

- **Behind a proxy** (JACKPOT_TRUSTED_PROXIES, `core.proxies`): the client's address is read
  from `X-Forwarded-For` and the scheme from `X-Forwarded-Proto`, only when the direct peer is a
  trusted proxy. The address is kept as `request.client_address` (rate limits, logs); HTTPS
  sets the WSGI scheme so that `request.is_secure()` and SECURE_SSL_REDIRECT follow it.
- **Request id**: an incoming `X-Request-Id` (1–128 printable characters) or a new one, set in
  `core.request_context` for the outbox rows the request writes, and returned on every answer.
- **Metrics and log line**: requests by route pattern and status, with their latency; one JSON
  line per request when JACKPOT_LOG_FORMAT=json.

It costs one contextvar set, one header and one histogram observation per request.
"""

import logging
import time

from django.conf import settings

from jackpot.core import proxies, request_context
from jackpot.core.metrics import LATENCY, REQUESTS

log = logging.getLogger("jackpot.request")

UNRESOLVED = "(unresolved)"  # answered before URL resolution: a 429, a preflight, a redirect


def route_of(request) -> str:
    """The URL pattern that served the request (`v2/stores/<slug:store_id>`), never the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return match.route or match.view_name or UNRESOLVED


class RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = proxies.networks(settings.JACKPOT_TRUSTED_PROXIES)
        self.log_lines = settings.JACKPOT_LOG_FORMAT == "json"

    def __call__(self, request):
        started = time.perf_counter()
        meta = request.META
        remote = meta.get("REMOTE_ADDR", "") or ""
        if self.proxies and proxies.trusted(remote, self.proxies):
            request.client_address = proxies.client_address(
                remote, meta.get("HTTP_X_FORWARDED_FOR", ""), self.proxies
            )
            if proxies.forwarded_https(
                remote, meta.get("HTTP_X_FORWARDED_PROTO", ""), self.proxies
            ):
                meta["wsgi.url_scheme"] = "https"
        else:
            request.client_address = remote or "unknown"
        request_id = request_context.accepted_id(meta.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_context.request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_context.request_id.reset(token)
        response["X-Request-Id"] = request_id
        elapsed = time.perf_counter() - started
        route = route_of(request)
        REQUESTS.labels(request.method, route, response.status_code).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        if self.log_lines:
            partner = getattr(request, "jackpot_partner", None)
            log.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                    "client": request.client_address,
                    "partner": getattr(partner, "pk", None),
                },
            )
        return response
