"""Every error the API returns is an RFC 9457 problem document (`application/problem+json`)."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jackpot.core.problems import Problem

CONTENT_TYPE = "application/problem+json"


def problem_response(request: HttpRequest | None, problem: Problem, headers: dict | None = None):
    body = problem.as_dict(instance=request.path if request is not None else None)
    response = HttpResponse(json.dumps(body), status=problem.status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_problem(errors: list[dict]) -> Problem:
    fields = [
        {"field": _field(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in errors
    ]
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Problem("validation-error", "The request is invalid", 422, detail, errors=fields)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(Problem)
    def on_problem(request, exc: Problem):
        return problem_response(request, exc)

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
        from jackpot.api.failures import failure_response

        return failure_response(request, exc)
