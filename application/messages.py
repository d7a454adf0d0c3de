"""The Banqup message (CONTRACTS §5), as it arrives over HTTP or from the queue."""

from __future__ import annotations

from datetime import datetime

import msgspec

from application.errors import Invalid
from application.inputs import Text, decode_json
from application.views import Struct
from domain.errors import InvalidValue
from domain.events import DocumentEvent

MAX_MESSAGE_BYTES = 64 * 1024


class MessageData(Struct):
    document_id: Text | None = None
    space_id: Text | None = None
    partner_id: Text | None = None
    folder: Text | None = None
    document_category: Text | None = None
    occurred_at: datetime | None = None


class BanqupMessage(Struct):
    """Only `id`, `category`, `type` and, for document events, `data` matter; the rest is carried along."""

    id: Text
    category: Text
    type: Text
    data: MessageData = msgspec.field(default_factory=MessageData)
    audience: Text | None = None
    scope: Text | None = None
    subject: Text | None = None
    resource_id: Text | None = None
    channel: Text | None = None

    def event(self) -> DocumentEvent:
        """The document event; `Invalid` naming the field when one is missing or wrong."""
        data = self.data
        required = {
            "data.documentId": data.document_id,
            "data.spaceId": data.space_id,
            "data.partnerId": data.partner_id,
            "data.folder": data.folder,
            "data.documentCategory": data.document_category,
            "data.occurredAt": data.occurred_at,
        }
        missing = [name for name, value in required.items() if value is None]
        if missing:
            raise Invalid(f"{missing[0]} is required for a document {self.type} message", field=missing[0])
        assert data.occurred_at is not None
        try:
            return DocumentEvent(
                message_id=self.id,
                partner_id=str(data.partner_id),
                client_id=str(data.space_id),
                document_id=str(data.document_id),
                category=self.category,
                type=self.type,
                folder=str(data.folder),
                document_category=str(data.document_category),
                occurred_at=data.occurred_at,
            )
        except InvalidValue as exc:
            raise Invalid(exc.message, field=exc.field) from exc


def decode_message(body: bytes) -> BanqupMessage:
    """Parses a message body; `Invalid` with the path of the first problem when it is malformed."""
    if len(body) > MAX_MESSAGE_BYTES:
        raise Invalid(f"the message is larger than {MAX_MESSAGE_BYTES} bytes")
    try:
        message: BanqupMessage = decode_json(body, BanqupMessage)
    except Invalid as exc:
        raise Invalid(f"malformed message: {exc.message}", field=exc.field) from exc
    if not message.id:
        raise Invalid("id must not be empty", field="id")
    return message
