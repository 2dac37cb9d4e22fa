"""docs/api-guide.md runs as written: its ```sh blocks, in order, against a live server.

The blocks form one shell session: every variable and function a block defines (bash runs them
with `set -a`, so all are exported) is handed to the next block. Each block gets a fresh
one-time partner JWT as `$TOKEN`, as the guide asks of its reader.
"""

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from jackpot.partners.credentials import create_partner
from jackpot.tokens.samples import build_token
from jackpot.vouchers.models import Voucher

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "api-guide.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def sh_blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def read_env(path: Path) -> dict[str, str]:
    entries = path.read_bytes().split(b"\0")
    return dict(e.decode().split("=", 1) for e in entries if b"=" in e)


def test_the_guide_has_the_three_ways_in():
    text = "\n".join(sh_blocks())
    for needle in (
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "/v2/stores/$STORE/proposed-vouchers",
        "reserve-voucher-by-value",
        "/v2/vouchers?state=RESERVED",
        '-H "apikey: $APIKEY"',
        "Idempotency-Key",
        "/confirm",
        "/cancel",
        "client_credentials",
        "Authorization: Bearer $PARTNER_TOKEN",
    ):
        assert needle in text, needle
    assert "jq" not in text.split()  # python3 reads the JSON
    assert all("curl -fsS" in line for line in text.splitlines() if "curl " in line)


@pytest.mark.skipif(not shutil.which("curl"), reason="the guide's blocks need curl")
@pytest.mark.django_db(transaction=True)
def test_the_guide_runs_from_token_to_confirmed_voucher(live_server, catalog, tmp_path):
    partner, issued = create_partner(
        "Guide Partner", partner_id="guide", domains=["guide.example"], confirmation_mode="manual"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "BASE": live_server.url,
        "CLIENT_ID": partner.pk,
        "APIKEY": issued.apiKey,
        "CLIENT_SECRET": issued.clientSecret,
    }
    blocks = sh_blocks()
    assert len(blocks) >= 5
    state = tmp_path / "env"
    for number, block in enumerate(blocks, 1):
        token = build_token(partner.pk, "100", cp="75000", age=40, gender="M")
        script = f"set -euo pipefail\nset -a\n{block}\nenv -0 > {state}\n"
        result = subprocess.run(
            ["bash", "-c", script],
            env={**env, "TOKEN": token},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"block {number} of {GUIDE.name} failed ({result.returncode}):\n{block}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
        env = {k: v for k, v in read_env(state).items() if k != "TOKEN"}

    vouchers = {v.pk: v.state for v in Voucher.objects.filter(partner=partner)}
    assert vouchers[uuid.UUID(env["VOUCHER"])] == "CONFIRMED"
    assert sorted(vouchers.values()) == ["CANCELED", "CANCELED", "CONFIRMED", "CONFIRMED"]
