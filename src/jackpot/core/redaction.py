"""Taking personal data out of text: values known to be erased, and what logs must not keep.

`without_values` replaces the given values where they stand as a whole word (a userId `42` is
taken out of "user 42 asked" but not out of "order 1422"), for the text the platform keeps
around an erased voucher (a reason typed in its journal, an excerpt of a partner's answer).

`log_text` is what every log line goes through (`core.logs`): a userId may reach a log in a URL,
as the path segment of `/v2/users/{userId}/…` or as a query parameter (`?userId=…`, the
portal's `?q=` search, which takes a userId), for instance in Django's own warning for a 4xx
answer; an e-mail address in a mail server's refusal. The values are replaced by `[redacted]`;
the rest of the line is kept.
"""

import re

ERASED = "[erased]"
REDACTED = "[redacted]"

# The path segment after /users/ (a userId, %2F-decoded slashes included) up to the route's
# own ending, else up to the next separator.
_USER_PATH = re.compile(r"(/users/)(?:[^\n\"'<>]*?(?=/(?:personal-data|erase)\b)|[^/\s\"'<>?]+)")
# Query parameters that may carry personal data, whatever else the URL holds.
_PERSONAL_QUERY = re.compile(
    r"([?&](?:userId|user_id|user|email|q|cp|postcode|age|gender)=)[^&\s\"'<>#]*",
    re.IGNORECASE,
)


# An e-mail address anywhere in a line (a mail server's refusal names the recipient).
_EMAIL = re.compile(r"[^@\s\"'<>(),;:\[\]]+@[^@\s\"'<>(),;:\[\]]+\.[A-Za-z]{2,}")


def without_values(text: str, values) -> str:
    """`text` with each of `values` (non-empty strings) replaced where it is a whole word."""
    if not text:
        return text
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
        text = pattern.sub(ERASED, text)
    return text


def log_text(text: str) -> str:
    """A log line without the userIds and query values it may hold in URLs."""
    if "/users/" in text:
        text = _USER_PATH.sub(r"\1" + REDACTED, text)
    if "=" in text:
        text = _PERSONAL_QUERY.sub(r"\1" + REDACTED, text)
    if "@" in text:
        text = _EMAIL.sub(REDACTED, text)
    return text
