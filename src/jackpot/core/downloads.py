"""A file the browser saves rather than shows, as the pages, the admin and the API hand one over."""

from django.http import HttpResponse


def attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
