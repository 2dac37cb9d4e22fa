"""`jackpot demo --port P`, really served: the PDF link the server gives and the one the
worker mails point at port P, unless JACKPOT_PUBLIC_URL names another address; `make demo
PORT=P` serves on P.

A real demo in a subprocess (SQLite in a temporary data folder), as `make demo` runs it: the
server's processes fork from the one that read the settings, so only a real run shows what
they write.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from jackpot.cli import main
from jackpot.web import server
from support.cli import command_env, jackpot_process
from support.faults import free_port
from support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def serving(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_pdf_and_mail_links_follow_the_port_the_demo_serves_on(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = command_env(tmp_path, JACKPOT_WORKER_INTERVAL="0.2")
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "jackpot.cli", "demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its worker too: stopped with it below
        )
    try:
        wait_for(lambda: serving(base), timeout=120, what="the demo to serve")
        with sqlite3.connect(tmp_path / "jackpot.sqlite3") as db:  # mail the voucher, too
            db.execute("UPDATE partners_partner SET sending_enabled = 1 WHERE id = 'demo'")
        built = jackpot_process(
            ["token", "build", "--partner", "demo", "--amount", "100", "--cp", "75000"]
            + ["--age", "40", "--gender", "M", "--email", "ana@example.com"],
            env,
        )
        assert built.returncode == 0, built.stderr
        session = httpx.post(
            f"{base}/v2/token", json={"client_id": "demo", "assertion": built.stdout.strip()}
        ).json()["access_token"]
        reserved = httpx.post(
            f"{base}/v2/stores/foulee/offers/foulee-lancement/reserve-voucher-by-value",
            json={"value": 110},
            headers={"Authorization": f"Bearer {session}"},
        ).json()
        api_key = json.loads((tmp_path / "demo-partner.json").read_text())["apiKey"]

        def read() -> dict:
            return httpx.get(
                f"{base}/v2/voucher/{reserved['id']}", headers={"apikey": api_key}
            ).json()

        wait_for(lambda: read()["state"] == "SENT", timeout=60, what="the voucher to be mailed")
        assert read()["url"].startswith(f"{base}/v2/voucher/{reserved['id']}/pdf?sig=")
        assert httpx.get(read()["url"]).headers["content-type"] == "application/pdf"
        mailed = log.read_text()  # the console mail backend of the demo's worker
        assert f"{base}/v2/voucher/{reserved['id']}/pdf?sig=" in mailed
        assert "127.0.0.1:8000" not in mailed.replace(base, "")
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_public_url_set_by_the_operator_is_kept(settings, tmp_path, monkeypatch, capsys):
    settings.DATA_DIR = tmp_path
    settings.DEMO = True  # what JACKPOT_DEMO=1, which `jackpot demo` sets, makes of the settings
    monkeypatch.setenv("JACKPOT_DEMO", "1")
    monkeypatch.setenv("JACKPOT_PUBLIC_URL", "https://vouchers.example")
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda command, env: started.append(env) or _Idle())
    monkeypatch.setattr(server, "serve", lambda target, **kw: None)

    assert main(["demo", "--port", "8124"]) == 0

    assert started[0]["JACKPOT_PUBLIC_URL"] == "https://vouchers.example"
    assert os.environ["JACKPOT_PUBLIC_URL"] == "https://vouchers.example"


class _Idle:
    def terminate(self):
        pass

    def wait(self, timeout=None):
        return 0


def test_make_demo_takes_the_port(tmp_path):
    dry_run = subprocess.run(  # noqa: S603, S607
        ["make", "-n", "-C", str(ROOT), "demo", "PORT=8125"], capture_output=True, text=True
    )
    default = subprocess.run(  # noqa: S603, S607
        ["make", "-n", "-C", str(ROOT), "demo"], capture_output=True, text=True
    )

    assert dry_run.returncode == 0, dry_run.stderr
    assert ".venv/bin/jackpot demo --port 8125" in dry_run.stdout
    assert ".venv/bin/jackpot demo --port 8000" in default.stdout
