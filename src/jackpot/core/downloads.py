"""A file the browser saves rather than shows, as the pages, the admin and the API hand one over.

A file made whole (a PDF) is sent as it is; one made line by line (a CSV of many rows) is
streamed as its lines are made, so the process never holds the whole file (`csv_lines`).
"""

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse


def attachment(
    content: str | bytes | Iterable[str], content_type: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    if isinstance(content, str | bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file that gives back what is written to it: csv.writer then hands over each line."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as one CSV line (RFC 4180 quoting, CRLF), made when the consumer asks for it."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
