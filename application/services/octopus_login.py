"""The pieces of the Octopus login: OAuth 2.0 authorization code with a browser-bound `state` and
PKCE (R2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

LOGIN_TIME = timedelta(minutes=10)
DEFAULT_PORTS = {"http": 80, "https": 443}
BINDING_BYTES = 16


def code_challenge(verifier: str) -> str:
    """PKCE S256: the unpadded base64url SHA-256 of the verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def origin(url: str) -> str:
    """`scheme://host[:port]` of `url` in lower case, without the scheme's default port: the form in
    which `https://host:443` and `https://host` are the same origin."""
    parts = urlsplit(url)
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    return f"{scheme}://{netloc.removesuffix(f':{DEFAULT_PORTS.get(scheme)}')}"


def bound_state(browser: str) -> str:
    """A fresh login `state` that only the browser holding the secret `browser` can complete: a nonce,
    then a digest of the nonce and that secret (the browser keeps the secret in a cookie)."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_binding(nonce, browser)}"


def started_by(state: str, browser: str | None) -> bool:
    """Whether `state` was made by `bound_state` for the browser holding `browser`."""
    nonce, _, binding = state.rpartition(".")
    return bool(nonce and browser) and hmac.compare_digest(binding, _binding(nonce, browser or ""))


def _binding(nonce: str, browser: str) -> str:
    digest = hashlib.sha256(f"{nonce}.{browser}".encode()).digest()[:BINDING_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def back_to(return_url: str, **params: str) -> str:
    separator = "&" if urlsplit(return_url).query else "?"
    return f"{return_url}{separator}{urlencode(params)}"
