"""Standard Webhooks signatures, and how endpoint secrets are kept.

A secret is `whsec_` + base64 of 32 random bytes. Each message is signed as `v1,` + base64(HMAC-SHA256(secret
bytes, "<webhook-id>.<webhook-timestamp>.<body>")), the scheme receivers verify with any Standard Webhooks library.

Signing needs the secret itself, so it cannot be stored hashed like a password or an API token. It is sealed
instead: AES-GCM under a key derived from SECRET_KEY (HMAC-SHA256 of a fixed label), stored as nonce || ciphertext.
A copy of the database without the server's SECRET_KEY cannot sign; changing SECRET_KEY makes the stored secrets
unreadable, and their endpoints must be registered again (deliveries fail with that reason in the log).
"""

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SECRET_PREFIX", "new_secret", "sign", "signed_headers", "sealing_key", "seal", "unseal", "hint"]

SECRET_PREFIX = "whsec_"
_SEAL_LABEL = b"marketplace webhook endpoint secrets v1"
_NONCE_BYTES = 12


def new_secret() -> str:
    """A fresh signing secret, `whsec_<base64 of 32 random bytes>`."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for this message."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers, and the body's type."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def sealing_key(secret_key: str) -> bytes:
    """The AES-256 key secrets are sealed with, derived from the server's SECRET_KEY."""
    return hmac.new(secret_key.encode(), _SEAL_LABEL, hashlib.sha256).digest()


def seal(key: bytes, secret: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, secret.encode(), _SEAL_LABEL)


def unseal(key: bytes, sealed: bytes) -> str:
    """The secret; `cryptography.exceptions.InvalidTag` when it was sealed under another SECRET_KEY."""
    return AESGCM(key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], _SEAL_LABEL).decode()


def hint(secret: str) -> str:
    """Enough of a secret to recognise it, not to use it."""
    return secret[: len(SECRET_PREFIX) + 4]
