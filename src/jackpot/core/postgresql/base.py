"""Django's PostgreSQL backend, with a health check that does not ask the server.

With `CONN_HEALTH_CHECKS`, Django checks a kept connection before a request's first query by
sending `SELECT 1`: a round trip on every request, the only statement of many. A connection that
PostgreSQL closed (a restart, an administrator, an idle timeout) has already received the
server's goodbye and end of stream; one that is alive has nothing waiting, since the application
never listens for notifications. So a connection with nothing to read is usable and costs no
round trip; one with something waiting is asked, as Django does.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()
