"""What a request that fails answers: 503 while the database is out of reach, 500 for a bug.

One rule for every path a failure takes: the API's exception handler (routes and their
authentication), the edge middleware's `process_exception` (other views under the API's
prefix) and Django's `handler500` (anything raised in a middleware, and the portal and admin
pages) all answer with `failure_response`.

A connectivity failure (PostgreSQL unreachable, restarting or shutting down, the connection cut,
no connection slot left; `core.outages` tells it from a bug) is not a bug: the API answers 503
`service-unavailable` with `Retry-After`, other pages a plain 503 page, and the log gets one
warning line, no traceback. Whatever the request was writing is rolled back with its
transaction, and Django drops the broken connection (the request's `errors_occurred` flag makes
`close_old_connections` test it when the request ends, and the next one connects again), so the
server recovers as soon as the database does, with no restart. Every other exception, database
errors included (a `ProgrammingError`, an `IntegrityError`, a deadlock), is a bug: 500, logged
with its traceback."""

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from jackpot.api.problems import problem_response
from jackpot.core.outages import is_database_outage
from jackpot.core.paths import under_api
from jackpot.core.problems import Problem

logger = logging.getLogger("jackpot.api")

# Seconds a client is asked to wait: about what PostgreSQL takes to restart.
RETRY_AFTER = 5

UNAVAILABLE_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Service unavailable</title></head><body><h1>Service unavailable (503)</h1>"
    "<p>The database cannot be reached for a moment. Please retry in a few seconds.</p>"
    "</body></html>"
)


def unavailable_problem() -> Problem:
    return Problem(
        "service-unavailable",
        "Service temporarily unavailable",
        503,
        "The database cannot be reached for a moment. Retry after "
        f"{RETRY_AFTER} seconds: a change is saved whole or not at all.",
    )


def internal_problem() -> Problem:
    return Problem(
        "internal-error",
        "Internal error",
        500,
        "Something failed on our side; nothing was changed. Retry, or contact support.",
    )


def _unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    logger.warning(
        "database unreachable: %s %s answered 503 (%s: %s)",
        request.method,
        request.path,
        type(exc).__name__,
        first_line,
    )
    if under_api(request.path):
        response = problem_response(request, unavailable_problem())
    else:
        response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html")
        response["Cache-Control"] = "no-store"
    response["Retry-After"] = str(RETRY_AFTER)
    # Logged above, as a warning: keep Django from logging it again as an error with traceback.
    response._has_been_logged = True
    return response


def failure_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The answer to an API request whose route raised `exc` (the route's own handlers)."""
    if is_database_outage(exc):
        return _unavailable(request, exc)
    logger.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    response = problem_response(request, internal_problem())
    response._has_been_logged = True  # with its traceback, just above
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: what Django answers for an exception no handler caught.

    Django calls it while handling the exception (and logs a 500 with its traceback itself).
    """
    exc = sys.exception()
    if is_database_outage(exc):
        return _unavailable(request, exc)
    if under_api(request.path):
        return problem_response(request, internal_problem())
    return defaults.server_error(request)
