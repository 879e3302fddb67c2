"""A Web Push service of our own, on loopback, and a phone's side of a subscription: for
tests/test_push.py and tests/e2e/test_push_browser.py. The service takes a POST as FCM or
Mozilla's would and keeps it; `verify_vapid` checks its VAPID signature (RFC 8292) and
`Phone.read` decrypts it (RFC 8291, aes128gcm) with the keys only the phone holds."""

from __future__ import annotations

import base64
import json
import os
import threading
import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from waymark.tracking import push

# A fixed VAPID key for tests only (a P-256 private key's 32 bytes).
TEST_VAPID_KEY = "mS0y9ROsrMRI0wVtX7BaTo2nTRSgO8X6EyTqKahlk0A"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the push service and the phone ------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case: HTTP's are case-insensitive
    body: bytes


@dataclass
class PushService:
    """A push service on 127.0.0.1: records each POST and answers `status`."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 201


@contextmanager
def push_service() -> Iterator[PushService]:
    """Start a push service on a free loopback port, for the `with` block."""
    state = PushService(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            state.received.append(Received(self.path, headers, body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@dataclass
class Phone:
    """What a browser keeps for a subscription: its private key and auth secret stay here."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    def subscription(self) -> dict[str, Any]:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(self.auth)},
        }

    def read(self, received: Received) -> dict[str, Any]:
        """Decrypt a push as the browser would (RFC 8291 with aes128gcm, RFC 8188)."""
        plain = http_ece.decrypt(
            received.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        message: dict[str, Any] = json.loads(plain)
        return message


def new_phone(service: PushService, name: str = "phone-1") -> Phone:
    key = ec.generate_private_key(ec.SECP256R1())
    return Phone(f"{service.url}/push/v1/{name}", key, os.urandom(16))


def verify_vapid(received: Received, audience: str) -> dict[str, Any]:
    """Check the Authorization header (RFC 8292: `vapid t=<JWT>, k=<public key>`): the JWT is
    ES256-signed by k, k is the site's key, and its claims name this push service. The claims."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    assert values["k"] == push.public_key(), "signed with another key than the site's"
    signer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(values["k"]))
    head, claims, signature = values["t"].split(".")
    raw = unb64(signature)
    assert len(raw) == 64  # JWS ES256: r and s, 32 bytes each
    der = utils.encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    signer.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    decoded: dict[str, Any] = json.loads(unb64(claims))
    assert decoded["aud"] == audience
    assert clock.time() < decoded["exp"] <= clock.time() + 24 * 60 * 60  # RFC 8292: 24 h at most
    return decoded
