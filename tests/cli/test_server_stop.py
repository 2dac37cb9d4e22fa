"""SIGTERM on `jackpot serve`: the request being answered completes, then the server exits 0.

A real server in a subprocess on SQLite. The request is held in the application, not in the
network: this test takes SQLite's write lock, so the failed portal login (django-axes writes
its record) waits on the busy timeout inside the view; SIGTERM arrives then, and the lock is
released only after it.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from support.waiting import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JACKPOT_", "PROMETHEUS_", "DATABASE_URL", "DJANGO_SETTINGS"))
    }
    env.update(JACKPOT_DATA_DIR=str(tmp_path), SECRET_KEY="stop-test-" + "k" * 40)
    command = [sys.executable, "-m", "jackpot.cli"]
    subprocess.run([*command, "migrate", "--verbosity", "0"], env=env, check=True)  # noqa: S603
    return env, tmp_path


def test_sigterm_lets_the_request_in_flight_complete_then_exits_0(server_env):
    env, data_dir = server_env
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "jackpot.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _answers(base), what="the server to answer")
        page = httpx.get(f"{base}/portal/login/")
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        lock = sqlite3.connect(data_dir / "jackpot.sqlite3", isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        answer = {}

        def log_in():
            answer["status"] = httpx.post(
                f"{base}/portal/login/",
                data={"csrfmiddlewaretoken": form_token, "username": "x", "password": "y"},
                headers={
                    "Cookie": f"csrftoken={page.cookies['csrftoken']}",
                    "Referer": f"{base}/portal/login/",
                },
                timeout=30,
            ).status_code

        request = threading.Thread(target=log_in)
        request.start()
        time.sleep(1.0)
        assert request.is_alive()  # held by the lock, inside the view
        server.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.poll() is None  # draining: the request still runs
        lock.execute("COMMIT")
        request.join(30)
        assert answer == {"status": 200}
        assert server.wait(timeout=30) == 0
        assert list((data_dir / "metrics").glob("*.db"))  # the metrics files were written there
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
