"""`jackpot demo`: sets the demo up, prints the banner, serves with a worker beside the server,
and stops that worker when the server stops."""

import json
import subprocess
import sys

import pytest

from jackpot.catalog.models import Store
from jackpot.cli import main
from jackpot.partners.models import Partner
from jackpot.web import server


class Worker:
    def __init__(self, command, env):
        self.command, self.env = command, env
        self.terminated = self.waited = False

    def terminate(self):
        self.terminated = True

    def wait(self, timeout=None):
        self.waited = True


@pytest.mark.django_db(transaction=True)
def test_demo_prints_working_credentials_then_serves_beside_a_worker(
    settings, tmp_path, monkeypatch, capsys
):
    settings.DATA_DIR = tmp_path
    settings.DEMO = True  # what JACKPOT_DEMO=1, which `jackpot demo` sets, makes of the settings
    monkeypatch.setenv("JACKPOT_DEMO", "1")  # set by `main`; given back after the test
    monkeypatch.delenv("JACKPOT_PUBLIC_URL", raising=False)  # set by `demo`; given back after
    workers, served = [], []
    monkeypatch.setattr(
        subprocess,
        "Popen",
        lambda command, env: workers.append(Worker(command, env)) or workers[-1],
    )
    monkeypatch.setattr(server, "serve", lambda target, **kw: served.append((target, kw)))

    assert main(["demo", "--port", "8123"]) == 0

    out = capsys.readouterr().out
    saved = json.loads((tmp_path / "demo-partner.json").read_text())
    assert "Jackpot demo is running on http://127.0.0.1:8123" in out
    assert f"apiSignature  {saved['apiSignature']}" in out
    assert f"password {saved['operatorPassword']}" in out
    assert Partner.objects.filter(pk="demo").exists()
    assert Store.objects.filter(pk="primeur-des-halles").exists()  # the demo catalogue
    assert served == [
        (
            "jackpot.wsgi:application",
            {"host": "127.0.0.1", "port": 8123, "workers": 1, "threads": 4},
        )
    ]
    (worker,) = workers
    assert worker.command == [sys.executable, "-m", "jackpot.cli", "worker"]
    # The PDF links the server and the worker write point at the port the demo serves on.
    assert worker.env["JACKPOT_PUBLIC_URL"] == "http://127.0.0.1:8123"
    assert worker.terminated and worker.waited
