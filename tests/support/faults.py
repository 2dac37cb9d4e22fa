"""Fault injection for the server tests: a relay to PostgreSQL that can play a restart, and
`jackpot serve` as a subprocess (partner flows from threads: support/load.py; what the database
must hold after: support/consistency.py).

The relay is a plain TCP socket relay on 127.0.0.1: the server's DATABASE_URL points at it, so
the test decides when "PostgreSQL" goes away (every connection cut, new ones turned away) and
comes back, without touching the real PostgreSQL that the rest of the suite shares.
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from support.waiting import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the relay --------------------------------------------------------------------------------


class Relay:
    """Relays 127.0.0.1:`port` to `target`; `down()` plays PostgreSQL going away, `up()` its return.

    Down, every relayed connection is cut (both ends shut) and new ones are turned away at once
    (reset as soon as accepted, as a server starting up or shutting down turns them away); the
    port stays bound, so nothing else can take it meanwhile.
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.relayed = 0  # connections relayed so far
        self.refused = 0  # connections turned away while down
        self._up = True
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def up(self) -> None:
        with self._lock:
            self._up = True

    def down(self) -> int:
        """Cut every connection and refuse new ones; returns how many connections were cut."""
        with self._lock:
            self._up = False
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _shut(sock)
        return len(sockets) // 2

    def close(self) -> None:
        self.down()
        _shut(self._listener)  # wakes the accept() blocked on it

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                up = self._up
            if not up:
                self.refused += 1
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if not self._up:  # went down meanwhile
                    _reset(client)
                    _shut(upstream)
                    continue
                self._sockets |= {client, upstream}
                self.relayed += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets -= {source, sink}
            _shut(source)
            _shut(sink)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset: the client's next read fails at once."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


# --- the server -------------------------------------------------------------------------------


def postgres_url(settings_dict: dict, host: str | None = None, port: int | None = None) -> str:
    user = settings_dict["USER"] or ""
    if settings_dict.get("PASSWORD"):
        user = f"{user}:{settings_dict['PASSWORD']}"
    host = host or settings_dict["HOST"] or "127.0.0.1"
    port = port or settings_dict["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def server_environment(database_url: str, data_dir: Path) -> dict:
    """Production settings (no test mode), rate limits off, the database the test chose."""
    env = os.environ.copy()
    env.pop("JACKPOT_TEST_DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="jackpot.settings",
        JACKPOT_TESTING="0",
        DATABASE_URL=database_url,
        SECRET_KEY="fault-tests-" + "k" * 48,
        JACKPOT_RATE_LIMIT="0",
        JACKPOT_RATE_LIMIT_ANONYMOUS="0",
        JACKPOT_DATA_DIR=str(data_dir),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


class Server:
    """`jackpot serve` in its own process group (granian's workers included), logging to a file."""

    def __init__(self, env: dict, log_path: Path, port: int | None = None, threads: int = 4):
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.threads = threads
        self.process: subprocess.Popen | None = None
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jackpot.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    "1",
                    "--threads",
                    str(self.threads),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the workers
            )
        wait_for(self._ready, timeout, f"the server on port {self.port}\n{self.log()}", 0.1)

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited ({self.process.returncode}):\n{self.log()}")
        try:
            return httpx.get(f"{self.base_url}/v2/openapi.json", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def workers(self) -> set[int]:
        """The pids of granian's worker processes (children of the main one)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def kill(self) -> None:
        """SIGKILL to the whole process group: no worker gets to finish anything."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""
