"""CORS for browser calls to the API, only from partners' authorised domains (sub-domains, and
the port when an entry names one: `partners.domains`).

A preflight is answered for any partner's domain (it carries no credential); the actual answer
is shared only with the domains of the partner the credential belongs to.
"""

from django.http import HttpResponse

from jackpot.core import shared_cache
from jackpot.core.paths import under_api
from jackpot.partners import credentials, domains
from jackpot.partners.models import Partner

ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, apikey"
ALLOWED_METHODS = "GET, POST, PUT, OPTIONS"
EXPOSED_HEADERS = (
    "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Idempotent-Replayed"
)
DOMAINS_CACHE_KEY = "jackpot:cors:domains"


def authorised_anywhere(seen: domains.Origin) -> bool:
    """Whether some enabled partner's entry lets the Origin in (partners.domains' matcher, the
    entries cached 30 seconds in the shared cache)."""
    entries = shared_cache.get(DOMAINS_CACHE_KEY)
    if entries is None:
        entries = sorted({d for p in Partner.objects.filter(enabled=True) for d in p.domain_list})
        shared_cache.set(DOMAINS_CACHE_KEY, entries, 30)
    return domains.lets_in(domains.stored_entries(entries), seen)


class CorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = request.headers.get("Origin")
        if not origin or not under_api(request.path):
            return self.get_response(request)
        seen = domains.origin(origin)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            if seen is not None and authorised_anywhere(seen):
                self._allow(response, origin)
                response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = "600"
            response["Vary"] = "Origin"
            return response
        response = self.get_response(request)
        partner = getattr(request, "jackpot_partner", None)
        allowed = (
            credentials.domain_authorised(partner, seen)
            if partner is not None
            else seen is not None and authorised_anywhere(seen)
        )
        if seen is not None and allowed:
            self._allow(response, origin)
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Origin"]))
        return response

    @staticmethod
    def _allow(response, origin: str) -> None:
        response["Access-Control-Allow-Origin"] = origin
