"""Servers under test: `jackpot serve` or the framework floor, as subprocesses on loopback."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process group; its workers' peak RSS is read from the kernel when it stops."""

    def __init__(self, command: list[str], env: dict[str, str], ready_path: str, port: int):
        self.command, self.env, self.ready_path, self.port = command, env, ready_path, port
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Server":
        self.process = subprocess.Popen(  # noqa: S603
            self.command,
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(self.base + self.ready_path, timeout=1).status_code < 500:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not answer in time")

    def workers(self) -> list[psutil.Process]:
        """The processes that answer requests (granian's workers, not its supervisor)."""
        main = psutil.Process(self.process.pid)
        return main.children(recursive=True) or [main]

    def pids(self) -> set[int]:
        """The whole server: supervisor and workers."""
        main = psutil.Process(self.process.pid)
        return {main.pid, *(p.pid for p in main.children(recursive=True))}

    def cpu_seconds(self) -> float:
        """CPU time used so far by the whole server (supervisor and workers)."""
        main = psutil.Process(self.process.pid)
        total = 0.0
        for p in [main, *main.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total

    def peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory (VmHWM) since it started, in MB."""
        peaks = []
        for worker in self.workers():
            with open(f"/proc/{worker.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def rss_mb(self) -> list[float]:
        return [w.memory_info().rss / 2**20 for w in self.workers()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def jackpot(env: dict[str, str], workers: int, threads: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "jackpot.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    return Server(command, env, "/v2/openapi.json", port)


def floor(workers: int, threads: int) -> Server:
    """The framework floor: a bare django-ninja JSON endpoint under the same granian settings."""
    port = free_port()
    command = [sys.executable, str(BENCH / "floor_app.py"), str(port), str(workers), str(threads)]
    env = {**os.environ, "PYTHONPATH": str(BENCH)}
    return Server(command, env, "/floor", port)
