"""A clock the test moves: expiry tested without sleeping for it."""

import time


class Clock:
    """A stand-in for the `time` module of one module under test, moved on by `advance`.

    `monkeypatch.setattr(module, "time", Clock())` makes that module see `time()` and
    `monotonic()` jump forward when the test says so: expiry is tested without sleeping.
    """

    def __init__(self):
        self.offset = 0.0

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)
