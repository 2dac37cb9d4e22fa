"""JACKPOT_LOG_FORMAT=json: one JSON object a line, for log collectors.

Every record gives its time, level, logger and message; the fields a caller passes with
`extra=` (a request's route and status, a worker job's kind and outcome, …) are added as they
are, so the request line and the job line can be queried by field.

Both formats take personal data out of what they write (`core.redaction.log_text`): a userId in
a URL (`/v2/users/{userId}/…`, `?userId=…`), as Django's warning for a 4xx answer would print it,
is written `[redacted]`. The logs keep no userId, e-mail or postcode of a user.
"""

import json
import logging
from datetime import UTC, datetime

from jackpot.core.redaction import log_text

# What every LogRecord carries; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": log_text(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = _safe(value)
        if record.exc_info:
            line["exception"] = log_text(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


def _safe(value):
    """An `extra=` value as the line may hold it: numbers as they are, anything else as its
    text without personal data (a request object prints its path and query)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return log_text(str(value))


class PlainFormatter(logging.Formatter):
    """The human format, through the same redaction as the JSON one."""

    def format(self, record: logging.LogRecord) -> str:
        return log_text(super().format(record))
