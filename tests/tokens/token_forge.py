"""Hand-made partner tokens: exact JSON bytes, base64url and HMAC, with no JWT library involved.

The seed's integration guide has partners build tokens with PHP firebase/php-jwt, the Ruby `jwt`
gem and Node `jsonwebtoken` (and, by SPEC §2, Python PyJWT). Each library writes its own default
header; building the bytes by hand here lets the tests prove the platform accepts exactly what
those libraries send, not merely what PyJWT happens to produce.
"""

import base64
import hashlib
import hmac
import json
import time

# The header each library writes by default, byte for byte.
PHP_HEADER = '{"typ":"JWT","alg":"HS256"}'  # firebase/php-jwt: JWT::encode($payload, $key)
RUBY_HEADER = '{"alg":"HS256"}'  # ruby jwt gem: JWT.encode payload, key, 'HS256'
NODE_HEADER = '{"alg":"HS256","typ":"JWT"}'  # jsonwebtoken: jwt.sign(payload, key)

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
