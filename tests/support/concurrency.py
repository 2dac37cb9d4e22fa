"""Simultaneous calls: threads released by one barrier, so the database decides who wins."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections


def simultaneously(count: int, work):
    """Run `work(i)` for i in range(count) in `count` threads released at the same instant.

    Returns the results in order. Each thread closes the database connections it opened, or the
    test database would stay busy when the test ends.
    """
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        try:
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
