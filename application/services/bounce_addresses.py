"""The envelope sender that names an export (CONTRACTS §7), read back when a bounce comes to it (§8)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

PREFIX = "bounce+"
TAG_LENGTH = 16


@dataclass(frozen=True, slots=True)
class BounceAddresses:
    """`bounce+<exportId>.<tag>@<domain>`: the tag, the first 16 lowercase hex digits of the export
    id's HMAC-SHA256 under the secret key, makes an address that nobody without the key can make for
    an export, so a bounce to it names the export it is about."""

    key: bytes = field(repr=False)
    domain: str

    @classmethod
    def of(cls, secret_key: str, domain: str) -> BounceAddresses:
        """The key is the secret's UTF-8 bytes exactly as configured (not decoded); the domain is
        compared without regard to case, as domains are."""
        return cls(secret_key.encode(), domain.lower())

    def address_of(self, export_id: str) -> str:
        return f"{PREFIX}{export_id}.{self._tag(export_id)}@{self.domain}"

    def export_of(self, address: str) -> str | None:
        """The export `address` names when it is one of ours with a valid tag, else None; the tag is
        compared in constant time."""
        local, at, domain = address.rpartition("@")
        if not at or domain.lower() != self.domain or not local.startswith(PREFIX):
            return None
        export_id, dot, tag = local.removeprefix(PREFIX).rpartition(".")
        if not dot or not export_id:
            return None
        if not hmac.compare_digest(tag.encode(), self._tag(export_id).encode()):
            return None
        return export_id

    def _tag(self, export_id: str) -> str:
        return hmac.new(self.key, export_id.encode(), hashlib.sha256).hexdigest()[:TAG_LENGTH]
