"""Encryption of the Octopus tokens at rest (R2), with a key derived from `SECRET_KEY`."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken

from application.errors import Unavailable
from application.ports.octopus import OctopusTokens


class TokenCipher:
    """Seals tokens with Fernet (AES-128-CBC and HMAC-SHA256); a wrong key is told, not ignored."""

    def __init__(self, secret_key: str) -> None:
        key = hashlib.sha256(b"octobridge/octopus-tokens\0" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, tokens: OctopusTokens) -> bytes:
        plain = {
            "access": tokens.access_token,
            "refresh": tokens.refresh_token,
            "expires": tokens.expires_at.isoformat(),
        }
        return self._fernet.encrypt(json.dumps(plain).encode())

    def open(self, sealed: bytes) -> OctopusTokens:
        try:
            plain = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken as exc:
            raise Unavailable("the stored Octopus tokens cannot be decrypted with this SECRET_KEY") from exc
        return OctopusTokens(plain["access"], plain["refresh"], datetime.fromisoformat(plain["expires"]))
