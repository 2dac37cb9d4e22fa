"""JACKPOT_LOG_FORMAT=json: one JSON object a line, for log collectors.

Every record gives its time, level, logger and message; the fields a caller passes with
`extra=` (a request's route and status, a worker job's kind and outcome, …) are added as they
are, so the request line and the job line can be queried by field.
"""

import json
import logging
from datetime import UTC, datetime

# What every LogRecord carries; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
