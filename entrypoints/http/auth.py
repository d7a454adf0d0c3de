"""Who is calling: Banqup on behalf of a partner (a short-lived JWT), or Banqup's message service
(an HMAC signature over the raw body)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import NamedTuple

import jwt

from application.inputs import storable
from entrypoints.http.problems import Unauthenticated

ISSUER = "banqup"
AUDIENCE = "octobridge"
LONGEST_TOKEN_LIFE = 600  # seconds: a token may not say it lives longer than 10 minutes
LEEWAY = 30  # seconds of clock skew between Banqup and octobridge
SIGNATURE_TOLERANCE = 300  # seconds a signed message may be old, or ahead
MAX_PARTNER_ID = 200
BEARER = 'Bearer realm="octobridge"'
SIGNATURE = "Banqup-Signature"


class PartnerClaims(NamedTuple):
    partner_id: str
    lang: str | None


class PartnerTokens:
    """Checks Banqup's partner tokens: HS256 with `API_TOKEN_SECRET`, `iss=banqup`,
    `aud=octobridge`, `exp` at most 10 minutes ahead; `sub` is the partner id."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def partner(self, authorization: str | None, now: float | None = None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send the partner's token as Authorization: Bearer <JWT>", BEARER)
        return self.read(token.strip(), now).partner_id

    def read(self, token: str, now: float | None = None) -> PartnerClaims:
        """The partner id and the optional `lang` claim of a token that holds; `Unauthenticated` else."""
        now = time.time() if now is None else now
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the partner token does not hold: {exc}", BEARER) from exc
        expires = claims["exp"]
        if not isinstance(expires, int | float) or expires - now > LONGEST_TOKEN_LIFE + LEEWAY:
            raise Unauthenticated("the partner token lives longer than 10 minutes", BEARER)
        partner = claims["sub"]
        if not isinstance(partner, str) or not 0 < len(partner) <= MAX_PARTNER_ID or not storable(partner):
            raise Unauthenticated("the partner token's sub is not a partner id", BEARER)
        language = claims.get("lang")
        return PartnerClaims(partner, language if isinstance(language, str) else None)


class WebhookSignature:
    """`Banqup-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.

    Several `v1` values may be given (while Banqup rolls its secret); one must match. The time
    must lie within 5 minutes of now, either way.
    """

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def verify(self, header: str | None, body: bytes, now: float | None = None) -> None:
        if not header:
            raise Unauthenticated(f"the {SIGNATURE} header is missing", SIGNATURE)
        stamp, signatures = _parse(header)
        now = time.time() if now is None else now
        if abs(now - stamp) > SIGNATURE_TOLERANCE:
            raise Unauthenticated("the signature is more than 5 minutes old or ahead", SIGNATURE)
        expected = self.sign(stamp, body)
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise Unauthenticated("the signature does not match the body", SIGNATURE)

    def sign(self, stamp: int, body: bytes) -> str:
        return hmac.new(self._secret, str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    stamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            stamp = int(value)
        elif key == "v1" and value.isascii():
            signatures.append(value.lower())
    if stamp is None or not signatures:
        raise Unauthenticated(f"the {SIGNATURE} header must read t=<unix seconds>,v1=<hex>", SIGNATURE)
    return stamp, signatures
