"""The supervisor keeps N worker processes running, restarts one that exits, and stops them all
on SIGTERM."""

import os
import signal
import sys

import pytest

from jackpot.worker import supervisor


@pytest.fixture
def keep_signal_handlers():
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in previous.items():
        signal.signal(sig, handler)


class Child:
    """A worker process that exits on its own once (the first started), or runs until stopped."""

    started: list = []

    def __init__(self, command):
        self.command = command
        self.pid = 40_000 + len(Child.started)
        self.returncode = None
        self.crashes = not Child.started  # the first one started
        self.polls = 0
        Child.started.append(self)

    def poll(self):
        self.polls += 1
        if self.crashes and self.polls >= 2:
            self.returncode = 1
        if len(Child.started) == 3 and self.polls >= 4:  # the restart happened: stop
            os.kill(os.getpid(), signal.SIGTERM)
        return self.returncode

    def terminate(self):
        self.returncode = -15

    def wait(self, timeout=None):
        return self.returncode


def test_a_worker_process_that_exits_is_replaced_and_all_stop_on_sigterm(
    monkeypatch, keep_signal_handlers
):
    Child.started = []
    monkeypatch.setattr(supervisor.subprocess, "Popen", Child)
    monkeypatch.setattr(supervisor.time, "sleep", lambda seconds: None)

    assert supervisor.run_worker_processes(2, interval=0.5) == 0

    assert len(Child.started) == 3  # two, then one in place of the one that exited
    command = [sys.executable, "-m", "jackpot.cli", "worker", "--interval", "0.5"]
    assert all(child.command == command for child in Child.started)
    assert Child.started[0].returncode == 1  # exited on its own, not terminated
    assert [child.returncode for child in Child.started[1:]] == [-15, -15]
