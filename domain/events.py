"""What Banqup tells octobridge about a document (CONTRACTS §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.clock import utc
from domain.errors import InvalidValue


class Direction(StrEnum):
    """Purchases are exported when approved, sales when sent."""

    PURCHASE = "purchase"
    SALES = "sales"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "creditNote"


_TRIGGERS = {("approved", "PURCHASES"): Direction.PURCHASE, ("sent", "SALES"): Direction.SALES}
_KINDS = {"INVOICE": DocumentKind.INVOICE, "CREDIT_NOTE": DocumentKind.CREDIT_NOTE}
_TRIGGER_TYPES = frozenset(trigger for trigger, _ in _TRIGGERS)
MAX_ID = 200


def triggers_export(category: str, message_type: str) -> bool:
    """Whether a message of `category` and `message_type` can tell of an approval or a sending at all."""
    return category == "document" and message_type in _TRIGGER_TYPES


@dataclass(frozen=True, slots=True)
class DocumentEvent:
    """Something that happened to a client's document, at `occurred_at`, told in message `message_id`."""

    message_id: str
    partner_id: str
    client_id: str
    document_id: str
    category: str
    type: str
    folder: str
    document_category: str
    occurred_at: datetime

    def __post_init__(self) -> None:
        for name, value in (
            ("id", self.message_id),
            ("data.partnerId", self.partner_id),
            ("data.spaceId", self.client_id),
            ("data.documentId", self.document_id),
        ):
            if not value or len(value) > MAX_ID or not value.isprintable():
                raise InvalidValue(name, f"must be 1 to {MAX_ID} printable characters")
        object.__setattr__(self, "occurred_at", utc(self.occurred_at, "data.occurredAt"))

    @property
    def direction(self) -> Direction | None:
        """The direction this event exports, or None when it is neither an approval nor a sending."""
        if self.category != "document" or self.document_category not in _KINDS:
            return None
        return _TRIGGERS.get((self.type, self.folder))

    @property
    def kind(self) -> DocumentKind | None:
        return _KINDS.get(self.document_category)
