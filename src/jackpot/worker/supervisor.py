"""Several worker processes side by side (`jackpot worker --processes N`)."""

import logging
import signal
import subprocess
import sys
import time

from jackpot.core import metrics_files

log = logging.getLogger("jackpot.worker")


def worker_command(interval: float | None = None) -> list[str]:
    """The command line of one worker process: this interpreter running `jackpot worker`."""
    command = [sys.executable, "-m", "jackpot.cli", "worker"]
    if interval is not None:
        command += ["--interval", str(interval)]
    return command


def run_worker_processes(count: int, interval: float | None = None) -> int:
    """`count` worker processes side by side until SIGTERM or Ctrl-C; a crashed one restarts.

    Everything a worker does is claimed under a lease (webhook deliveries, PDF and mail jobs)
    or a row lock (expiry), so processes share the work without doing anything twice. A worker
    spends most of a PDF job waiting for the database, so more processes make more PDFs a
    second, as long as cores are free (bench/README.md, soak).
    """
    command = worker_command(interval)
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    children = [subprocess.Popen(command) for _ in range(count)]  # noqa: S603
    log.info("%d worker processes started", count)
    try:
        while not stopping:
            for n, child in enumerate(children):
                if child.poll() is not None and not stopping:
                    metrics_files.process_ended(child.pid)
                    log.warning(
                        "worker process %d exited (%s); starting another", n, child.returncode
                    )
                    time.sleep(1)
                    children[n] = subprocess.Popen(command)  # noqa: S603
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            metrics_files.process_ended(child.pid)
    return 0
