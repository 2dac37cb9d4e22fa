"""Database outages as a request meets them, for the tests of what it answers: each error built as
Django builds it, its own class raised from the driver's (psycopg's errors, real sqlite3 errors);
the reservation those tests send and the 503 they expect."""

import sqlite3

import psycopg
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from psycopg import errors as pg

from jackpot.api.failures import RETRY_AFTER

PROBLEM = "application/problem+json"
RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"


def raised_from(error_class, driver_error: BaseException):
    """Django's error for a driver error, as `DatabaseErrorWrapper` raises it: `from` it."""
    try:
        try:
            raise driver_error
        except Exception as exc:
            raise error_class(*exc.args) from exc
    except error_class as wrapped:
        return wrapped


def sqlite_error(make) -> sqlite3.Error:
    try:
        make()
    except sqlite3.Error as exc:
        return exc
    raise AssertionError("sqlite3 raised nothing")


def sqlite_busy(tmp_path) -> sqlite3.Error:
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        return sqlite_error(lambda: waiter.execute("BEGIN IMMEDIATE"))
    finally:
        waiter.close()
        holder.close()


OUTAGES = {
    "connection refused": lambda tmp: raised_from(
        OperationalError,
        psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "Connection refused"
        ),
    ),
    "connection cut": lambda tmp: raised_from(
        OperationalError,
        psycopg.OperationalError(
            "consuming input failed: server closed the connection unexpectedly"
        ),
    ),
    "server shutting down": lambda tmp: raised_from(
        OperationalError, pg.AdminShutdown("terminating connection due to administrator command")
    ),
    "server starting up": lambda tmp: raised_from(
        OperationalError, pg.CannotConnectNow("the database system is starting up")
    ),
    "no connection slot left": lambda tmp: raised_from(
        OperationalError, pg.TooManyConnections("sorry, too many clients already")
    ),
    "connection link failure": lambda tmp: raised_from(
        OperationalError, pg.ConnectionFailure("connection to the server was lost")
    ),
    "connection already closed": lambda tmp: raised_from(
        InterfaceError, psycopg.InterfaceError("connection already closed")
    ),
    "sqlite file cannot be opened": lambda tmp: raised_from(
        OperationalError,
        sqlite_error(lambda: sqlite3.connect(tmp / "no-such-dir" / "db.sqlite3")),
    ),
    "sqlite locked past its busy timeout": lambda tmp: raised_from(
        OperationalError, sqlite_busy(tmp)
    ),
}
BUGS = {
    "undefined table": lambda tmp: raised_from(
        ProgrammingError, pg.UndefinedTable('relation "nope" does not exist')
    ),
    "unique violation": lambda tmp: raised_from(
        IntegrityError, pg.UniqueViolation("duplicate key value violates unique constraint")
    ),
    "value out of range": lambda tmp: raised_from(
        DataError, pg.NumericValueOutOfRange("numeric field overflow")
    ),
    "deadlock": lambda tmp: raised_from(OperationalError, pg.DeadlockDetected("deadlock detected")),
    "statement timeout": lambda tmp: raised_from(
        OperationalError, pg.QueryCanceled("canceling statement due to statement timeout")
    ),
    "sqlite missing table": lambda tmp: raised_from(
        OperationalError,
        sqlite_error(lambda: sqlite3.connect(":memory:").execute("SELECT * FROM nope")),
    ),
    "operational error of unknown origin": lambda tmp: OperationalError("something odd"),
    "not a database error": lambda tmp: RuntimeError("database on fire"),
}


def raising(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM
    assert response["Retry-After"] == str(RETRY_AFTER) and RETRY_AFTER > 0
    problem = response.json()
    assert problem["code"] == "service-unavailable" and problem["status"] == 503
    assert problem["type"] == "/problems/service-unavailable"
    assert problem["title"] and problem["detail"]


def reserve(client, bearer, **headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post(
        RESERVE,
        data='{"value": 30}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bearer}",
        **extra,
    )
