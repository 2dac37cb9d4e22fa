"""Every error the API returns is an RFC 9457 problem document (`application/problem+json`)."""

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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


def payload_too_large() -> Problem:
    return Problem(
        "payload-too-large",
        "The request body is too large",
        413,
        f"Bodies are limited to {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
    )
