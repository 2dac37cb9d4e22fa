"""Where the machine's CPU goes during a run: the server, PostgreSQL, the load generator, the rest.

On a 2-core machine the three share the same cores, so a flow's cost is their sum, not the
server's alone. Read from the kernel's per-process counters (psutil) before and after the run:
the server is its process group, PostgreSQL every process of the `postgres` user, the load
generator this process; whatever else ran (kernel threads, other services) is "other".
"""

import os
import time

import psutil

PARTIES = ("server", "postgres", "load generator", "other")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


class MachineCpu:
    def __init__(self, server_pids: set[int]):
        self.server_pids = server_pids
        self.me = os.getpid()

    def _party(self, process: psutil.Process) -> str:
        if process.pid in self.server_pids:
            return "server"
        if process.pid == self.me:
            return "load generator"
        if process.info["username"] == "postgres":
            return "postgres"
        return "other"

    def _snapshot(self) -> dict[int, tuple[str, float]]:
        seen = {}
        for process in psutil.process_iter(["username"]):
            try:
                seen[process.pid] = (self._party(process), _cpu(process))
            except psutil.Error:
                continue
        return seen

    def __enter__(self) -> "MachineCpu":
        self.before, self.started = self._snapshot(), time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        after, self.seconds = self._snapshot(), time.monotonic() - self.started
        self.used = dict.fromkeys(PARTIES, 0.0)
        for pid, (party, seconds) in after.items():
            self.used[party] += seconds - self.before.get(pid, (party, 0.0))[1]

    def per_unit(self, rate: float) -> dict[str, float]:
        """Milliseconds of CPU each party spent per unit done, `rate` units a second."""
        units = rate * self.seconds
        return {party: used * 1000 / units for party, used in self.used.items()}

    def report(self, units: float, unit: str = "flow") -> str:
        """CPU per `unit` for each party, and the rate the others leave room for."""
        per = {party: used * 1000 / units for party, used in self.used.items()}
        cores = psutil.cpu_count() or 1
        busy = sum(self.used.values()) / (self.seconds * cores)
        others = per["postgres"] + per["load generator"] + per["other"]
        return (
            f"  CPU a {unit}: "
            + ", ".join(f"{party} {ms:.2f} ms" for party, ms in per.items())
            + f"; the {cores} cores {busy:.0%} busy\n"
            f"  ceiling if the server cost nothing: {cores} × 1000 ms / {others:.2f} ms"
            f" = {cores * 1000 / others:.0f} {unit}s/s"
        )
