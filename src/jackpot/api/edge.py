"""Problem documents for what happens before or around the API's own routes.

Unknown paths (404), wrong methods (405), bodies over the size limit (413), crashes (500) and
database outages (503, see `api.failures`) under the API's prefix (`core.paths.under_api`, its
docs pages included) answer `application/problem+json` like every other API error.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from jackpot.api.failures import failure_response
from jackpot.api.problems import CONTENT_TYPE, payload_too_large, problem_response
from jackpot.core.paths import API_DOCS, under_api
from jackpot.core.problems import Problem

EDGE_PROBLEMS = {
    404: Problem("not-found", "Not found", 404, f"No API route at this path; see {API_DOCS}."),
    405: Problem(
        "method-not-allowed", "Method not allowed", 405, f"See {API_DOCS} for the methods."
    ),
}


def _holds_nul(request) -> bool:
    """NUL fits no field (PostgreSQL text refuses it): refuse it once, here, for every route."""
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    return False


class ApiEdgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not under_api(request.path):
            return self.get_response(request)
        length = request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return problem_response(request, payload_too_large())
        try:
            holds_nul = _holds_nul(request)
        except RequestDataTooBig:  # no Content-Length, and more than the limit
            return problem_response(request, payload_too_large())
        if holds_nul:
            return problem_response(
                request,
                Problem(
                    "invalid-characters",
                    "The request holds a NUL character",
                    400,
                    "No field of the API accepts the NUL character (U+0000).",
                ),
            )
        response = self.get_response(request)
        problem = EDGE_PROBLEMS.get(response.status_code)
        if problem is not None and not response.get("Content-Type", "").startswith(
            (CONTENT_TYPE, "application/json")
        ):
            replacement = problem_response(request, problem)
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response

    def process_exception(self, request, exception):
        if not under_api(request.path):
            return None
        return failure_response(request, exception)
