"""Errors that reach a client as RFC 9457 problem documents.

Services raise `Problem` (or a subclass); the API turns it into `application/problem+json`.
Each `code` is stable and documented: partners branch on it.
"""

from dataclasses import dataclass, field


@dataclass
class Problem(Exception):
    code: str
    title: str
    status: int = 400
    detail: str = ""
    errors: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)  # HTTP headers the answer carries (Retry-After)

    def __post_init__(self):
        super().__init__(self.detail or self.title)

    @property
    def type(self) -> str:
        return f"/problems/{self.code}"

    def as_dict(self, instance: str | None = None) -> dict:
        body = {"type": self.type, "code": self.code, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def invalid_token(detail: str, code: str = "invalid-token") -> Problem:
    return Problem(code, "The partner token was refused", 401, detail)


def invalid_field(field: str, message: str, detail: str | None = None) -> Problem:
    """A 422 on one field checked by code, shaped as the API's schema refusals are."""
    return Problem(
        "validation-error",
        "The request is invalid",
        422,
        detail or f"{field}: {message}",
        errors=[{"field": field, "message": message}],
    )


def voucher_not_found() -> Problem:
    """Unknown, malformed or another partner's: one answer, so no voucher's existence leaks."""
    return Problem(
        "voucher-not-found", "Voucher not found", 404, "No such voucher for this partner."
    )
