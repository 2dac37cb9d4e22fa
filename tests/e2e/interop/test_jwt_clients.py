"""Tokens built by the partners' JWT libraries, exactly as the integration guide's samples build
them (SPEC §2): Node `jsonwebtoken` (`jwt.sign(criteria, signature)`) and Python PyJWT
(`jwt.encode(payload, key)`), each with the library's default header.

`jsonwebtoken` is installed from npm on first use into `tests/e2e/interop/.node/` (ignored by git);
the Node tests are skipped, saying why, when node or npm is missing or the install fails.
"""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import jwt
import pytest

from support.tokens import SIGNATURE, seed_claims

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / ".node"
JSONWEBTOKEN = "jsonwebtoken@9"

# The guide's samples sign with "myApiSignature"; here with the `acme` partner's apiSignature
# (support.tokens.SIGNATURE, long enough that PyJWT does not warn about a short HMAC key).
# The seed's Node.js sample, verbatim but for the signature and the options passed in argv.
NODE_SAMPLE = """
var jwt=require('jsonwebtoken');

var signature = process.argv[1];
var criteria={
      amount: 100,                       // Amount to convert
      cp: "75000",                       // User's zipcode
      age: 40,                           // User's age
      gender: "M",                       // User's gender (M ou F)
      userId: "u-1234",                  // User's unique ID
      iat: Math.round(Date.now()/1000),  // Timestamp in seconds
      notificationKey: "12345"           // A key generate by you allowing to identify transaction
};

var options = JSON.parse(process.argv[2] || "null");
var token = options ? jwt.sign(criteria, signature, options) : jwt.sign(criteria, signature);
process.stdout.write(token);
"""


def _install_jsonwebtoken() -> str | None:
    """Install jsonwebtoken into NODE_DIR if needed; the reason to skip, or None."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "node and npm are needed for the Node jsonwebtoken interop tests (not on PATH)"
    if (NODE_DIR / "node_modules" / "jsonwebtoken" / "package.json").exists():
        return None
    NODE_DIR.mkdir(exist_ok=True)
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(NODE_DIR),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                JSONWEBTOKEN,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        output = getattr(exc, "stderr", None) or str(exc)
        return f"`npm install {JSONWEBTOKEN}` failed (offline registry?): {output.strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def node_sign():
    """Run the guide's Node sample; returns the token it prints."""
    reason = _install_jsonwebtoken()
    if reason:
        pytest.skip(reason)

    def sign(signature: str = SIGNATURE, options: dict | None = None) -> str:
        result = subprocess.run(
            [shutil.which("node"), "-e", NODE_SAMPLE, signature, json.dumps(options)],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules")},
        )
        return result.stdout.strip()

    return sign


@pytest.fixture
def sample_partner(partner):
    assert partner.issued.apiSignature == SIGNATURE
    return partner


@pytest.fixture
def exchange(client):
    def post(token: str):
        response = client.post(
            "/v2/token",
            data=json.dumps({"client_id": "acme", "assertion": token}),
            content_type="application/json",
        )
        return response.status_code, response.json()

    return post


def header_and_claims(token: str) -> tuple[dict, dict]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def test_a_node_jsonwebtoken_token_is_accepted_once(sample_partner, node_sign, exchange):
    token = node_sign()
    header, claims = header_and_claims(token)
    assert header == {"alg": "HS256", "typ": "JWT"}  # jsonwebtoken's default header
    assert set(claims) == {"amount", "cp", "age", "gender", "userId", "iat", "notificationKey"}
    assert abs(claims["iat"] - time.time()) < 60

    status, body = exchange(token)
    assert status == 200, body
    assert body["scope"] == "session" and body["access_token"].startswith("jks_")
    assert body["session"]["amount"] == 100 and body["session"]["notificationKey"] == "12345"

    status, problem = exchange(token)
    assert (status, problem["code"]) == (409, "token-already-used")


def test_a_pyjwt_token_is_accepted_once(sample_partner, exchange):
    token = jwt.encode(seed_claims(), SIGNATURE)  # PyJWT's defaults: HS256, its own header
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}

    status, body = exchange(token)
    assert status == 200, body
    assert body["session"]["userId"] == "u-1234"

    status, problem = exchange(token)
    assert (status, problem["code"]) == (409, "token-already-used")


def test_a_node_token_signed_with_another_key_is_refused(sample_partner, node_sign, exchange):
    status, problem = exchange(node_sign(signature="notTheApiSignature"))
    assert (status, problem["code"]) == (401, "invalid-signature")


def test_a_node_hs512_token_is_refused(sample_partner, node_sign, exchange):
    token = node_sign(options={"algorithm": "HS512"})
    assert jwt.get_unverified_header(token)["alg"] == "HS512"
    status, problem = exchange(token)
    assert (status, problem["code"]) == (401, "unsupported-algorithm")
    # refused before anything is burnt: the same claims signed HS256 still open a session
    status, body = exchange(node_sign())
    assert status == 200, body
