"""How Banqup calls octobridge: a partner's bearer token, and signed messages (CONTRACTS §3, §5)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt


def partner_token(partner: str, secret: str, *, lifetime: int = 300, **claims: Any) -> str:
    payload = {"iss": "banqup", "aud": "octobridge", "sub": partner, "exp": int(time.time()) + lifetime}
    payload.update(claims)
    return jwt.encode(payload, secret, algorithm="HS256")


def signature_headers(body: bytes, secret: str, *, at: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Banqup-Signature": f"t={stamp},v1={mac}", "Content-Type": "application/json"}


def document_message(
    message_id: str,
    partner: str,
    client: str,
    document: str,
    occurred_at: str,
    *,
    type: str = "approved",
    document_category: str = "INVOICE",
) -> bytes:
    """A document event as Banqup's message service sends it; purchases are approved, sales sent."""
    folder = "PURCHASES" if type == "approved" else "SALES"
    return json.dumps(
        {
            "id": message_id,
            "audience": "partner",
            "category": "document",
            "type": type,
            "resourceId": document,
            "channel": f"{client}/{document}",
            "data": {
                "documentId": document,
                "spaceId": client,
                "partnerId": partner,
                "folder": folder,
                "documentCategory": document_category,
                "occurredAt": occurred_at,
            },
        }
    ).encode()
