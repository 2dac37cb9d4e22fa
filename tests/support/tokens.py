"""Partner tokens as partners build them: one PyJWT builder for every test, and hand-made ones.

`partner_token` is the seed's Python (PyJWT) sample with a fresh `notificationKey` each call, the
token almost every test needs. The seed's integration guide also has partners use PHP
firebase/php-jwt, the Ruby `jwt` gem and Node `jsonwebtoken`; each writes its own default header,
so `handmade` builds the exact bytes (JSON, base64url, HMAC, no JWT library) to prove the platform
accepts what those libraries send, not merely what PyJWT happens to produce.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt

# The `acme` partner's apiSignature in tests/conftest.py's fixtures.
SIGNATURE = "test-api-signature-0123456789abcdef0123456789"

# The header each library writes by default, byte for byte.
PHP_HEADER = '{"typ":"JWT","alg":"HS256"}'  # firebase/php-jwt: JWT::encode($payload, $key)
RUBY_HEADER = '{"alg":"HS256"}'  # ruby jwt gem: JWT.encode payload, key, 'HS256'
NODE_HEADER = '{"alg":"HS256","typ":"JWT"}'  # jsonwebtoken: jwt.sign(payload, key)
SEED_HEADERS = {
    "php-firebase-jwt": PHP_HEADER,
    "ruby-jwt": RUBY_HEADER,
    "node-jsonwebtoken": NODE_HEADER,
}
SEED_LIBRARIES = [*SEED_HEADERS, "python-pyjwt"]  # the four samples of the guide and SPEC §2

B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64url(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def compact(obj) -> str:
    """JSON the way PHP json_encode, Ruby to_json and JS JSON.stringify write it: no spaces."""
    return json.dumps(obj, separators=(",", ":"))


def seed_claims(iat: int | None = None, **overrides) -> dict:
    """The claims of the guide's samples, in the samples' key order (dicts keep insertion order).

    An override of None removes the claim.
    """
    claims = {
        "amount": 100,
        "cp": "75000",
        "age": 40,
        "gender": "M",
        "userId": "u-1234",
        "iat": int(time.time()) if iat is None else iat,
        "notificationKey": "12345",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def unique_key(prefix: str = "nk") -> str:
    """A notificationKey no other token of the run carries (a token is burned by its key)."""
    return f"{prefix}-{uuid.uuid4().hex}"


def partner_token(signature: str = SIGNATURE, **claims) -> str:
    """The seed's PyJWT sample: its claims (a claim given as None is left out), HS256, PyJWT's
    own header, and a notificationKey of its own unless one is given."""
    payload = seed_claims(notificationKey=unique_key())
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, signature, algorithm="HS256")


def seed_token(library: str, key: str, iat: int) -> str:
    """The guide's sample token as `library` writes it: its header, the sample's claims."""
    if library == "python-pyjwt":
        return jwt.encode(seed_claims(iat), key, algorithm="HS256")
    return handmade(SEED_HEADERS[library], seed_claims(iat), key)


def sign(signing_input: str, key: str, digestmod=hashlib.sha256) -> str:
    return b64url(hmac.new(key.encode(), signing_input.encode(), digestmod).digest())


def handmade(header: str | dict, payload: str | dict, key: str, digestmod=hashlib.sha256) -> str:
    """A compact JWS over the exact header and payload bytes given (dicts are written compactly)."""
    header_json = header if isinstance(header, str) else compact(header)
    payload_json = payload if isinstance(payload, str) else compact(payload)
    signing_input = f"{b64url(header_json)}.{b64url(payload_json)}"
    return f"{signing_input}.{sign(signing_input, key, digestmod)}"


def unsigned(header: str | dict, payload: str | dict) -> str:
    """A token with an empty signature segment, as `alg: none` tokens are written."""
    header_json = header if isinstance(header, str) else compact(header)
    payload_json = payload if isinstance(payload, str) else compact(payload)
    return f"{b64url(header_json)}.{b64url(payload_json)}."


def with_payload(token: str, payload: dict) -> str:
    """The same header and signature over a different payload: what a tamperer produces."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url(compact(payload))}.{signature}"


def pad_signature(token: str) -> str:
    """The same token with its 43-character signature padded with `=` (some issuers do that).

    A lenient decoder (PyJWT among them) reads the same 32 signature bytes.
    """
    signing_input, signature = token.rsplit(".", 1)
    assert len(signature) == 43, signature
    return f"{signing_input}.{signature}="


def flip_unused_signature_bits(token: str) -> str:
    """The same token with its signature spelled differently but decoding to the same bytes.

    An HMAC-SHA256 is 32 bytes = 256 bits; base64url writes it in 43 characters = 258 bits, so
    the last character's two low bits are unused. Flipping its lowest bit (index i ^ 1 in the
    alphabet) changes the string, not the bytes a non-strict base64 decoder returns.
    """
    signing_input, signature = token.rsplit(".", 1)
    assert len(signature) == 43, signature
    last = B64URL_ALPHABET[B64URL_ALPHABET.index(signature[-1]) ^ 1]
    twin = signature[:-1] + last
    assert twin != signature and b64url_decode(twin) == b64url_decode(signature)
    return f"{signing_input}.{twin}"


def assert_opened(response) -> dict:
    """The body of a `POST /v2/token` answer that opened a session."""
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["access_token"].startswith("jks_")
    assert body["token_type"] == "Bearer"
    return body
