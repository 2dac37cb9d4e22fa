"""Whether a database error means the database is out of reach, or that a query was wrong.

The API answers the first with a 503 and a `Retry-After`, the worker waits and tries again, the
idempotency middleware leaves its claim for later; the second is a bug everywhere. The rule
reads driver facts (SQLSTATEs, SQLite error names), so it lives here, below every caller.
"""

from django.db import InterfaceError, OperationalError

# SQLSTATEs meaning the server cannot serve this connection: class 08 (connection exception),
# 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting
# down), 53300 too_many_connections. psycopg gives client-side failures (refused, reset, closed,
# timed out) no SQLSTATE at all.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# SQLite: the file cannot be opened, or another writer kept it locked past the busy timeout.
UNAVAILABLE_SQLITE = frozenset({"SQLITE_CANTOPEN", "SQLITE_BUSY"})


def is_database_outage(exc: BaseException | None) -> bool:
    """True when `exc` says the database cannot be reached, not that a query was wrong."""
    if isinstance(exc, InterfaceError):  # the connection itself is unusable
        return True
    if not isinstance(exc, OperationalError):
        return False
    driver_error = exc.__cause__  # Django raises its error `from` the driver's
    sqlite_name = getattr(driver_error, "sqlite_errorname", None)
    if sqlite_name is not None:  # "no such table" is an OperationalError too, and a bug
        return sqlite_name in UNAVAILABLE_SQLITE
    if not hasattr(driver_error, "sqlstate"):  # not psycopg's: unknown, so a bug
        return False
    sqlstate = driver_error.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
