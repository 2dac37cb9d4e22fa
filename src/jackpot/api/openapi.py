"""The schema the API publishes: errors documented as they are sent.

django-ninja documents every response as `application/json`; ours are problem documents
(`application/problem+json`) for every 4xx/5xx, and the edge adds statuses no route declares
(400 malformed body, 413, 429, 500, 503). Post-processing the schema keeps one place for both.
"""

from ninja import NinjaAPI

from jackpot.api.problems import CONTENT_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}
EDGE_STATUSES = {
    "400": "The body is not valid JSON, or holds characters the API refuses.",
    "413": "The body is larger than the limit.",
    "429": "Too many requests this minute for this credential; see `Retry-After`.",
    "500": "Our fault; nothing was changed.",
    "503": "The database cannot be reached for a moment; retry after `Retry-After` seconds.",
}
PROBLEM_SCHEMA = {
    "title": "ProblemOut",
    "type": "object",
    "description": "An RFC 9457 problem document; `code` is stable, see the README's table.",
    "properties": {
        "type": {"type": "string"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "code", "title", "status"],
}


class JackpotAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ProblemOut"] = PROBLEM_SCHEMA
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, response in responses.items():
                    if status[0] in "45":
                        content = response.get("content") or {}
                        body = content.get("application/json", {"schema": PROBLEM_REF})
                        response["content"] = {CONTENT_TYPE: body}
                for status, description in EDGE_STATUSES.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {CONTENT_TYPE: {"schema": PROBLEM_REF}},
                        },
                    )
        return schema
