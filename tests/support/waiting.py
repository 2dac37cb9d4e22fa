"""Waiting for something to happen instead of sleeping for as long as it usually takes."""

import time


def wait_for(condition, timeout: float = 30.0, what: str = "condition", interval: float = 0.02):
    """Poll `condition()` until it is true; fail the test after `timeout` seconds.

    For what no event announces (another process's writes, a server's answer): the test goes on
    as soon as the condition holds, and a slow machine only makes it wait longer.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
