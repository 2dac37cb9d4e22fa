"""The API's exception handlers: whatever a route raises leaves as a problem document.

Kept apart from `api.problems` (how a problem is written) and `api.failures` (what a crash
answers) so that neither imports the other's caller.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jackpot.api.failures import failure_response
from jackpot.api.problems import problem_response, validation_problem
from jackpot.core.problems import Problem


def install(api: NinjaAPI) -> None:
    @api.exception_handler(Problem)
    def on_problem(request, exc: Problem):
        return problem_response(request, exc, exc.headers)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        return problem_response(request, validation_problem(exc.errors))

    @api.exception_handler(AuthenticationError)
    def on_authentication(request, exc):
        return problem_response(
            request,
            Problem(
                "unauthenticated",
                "Authentication required",
                401,
                "Send a session bearer token (Authorization: Bearer jks_…) or your apikey header.",
            ),
            {"WWW-Authenticate": 'Bearer realm="jackpot"'},
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        code = {
            400: "bad-request",
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
            429: "rate-limited",
        }.get(exc.status_code, "http-error")
        return problem_response(request, Problem(code, str(exc), exc.status_code))

    @api.exception_handler(Http404)
    def on_404(request, exc):
        return problem_response(request, Problem("not-found", "Not found", 404, str(exc) or ""))

    @api.exception_handler(Exception)
    def on_error(request, exc):
        # 503 while the database is out of reach, else 500: the rule is in `api.failures`.
        return failure_response(request, exc)
