"""Small builders of domain objects and messages for tests."""

from __future__ import annotations

import uuid
from datetime import datetime

from application.messages import BanqupMessage, MessageData
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.events import Direction, DocumentKind
from domain.export import Export, ExportStatus
from domain.mailbox import Mailbox

MAILBOX = "uid-008352-24@import.octopus.be"


def an_export(
    created_at: datetime,
    *,
    partner: str = "p1",
    client: str = "c1",
    document: str | None = None,
    direction: Direction = Direction.PURCHASE,
    status: ExportStatus = ExportStatus.QUEUED,
) -> Export:
    return Export(
        id=str(uuid.uuid4()),
        partner_id=partner,
        client_id=client,
        document_id=document or f"doc-{uuid.uuid4().hex[:8]}",
        direction=direction,
        kind=DocumentKind.INVOICE,
        occurred_at=created_at,
        created_at=created_at,
        status=status,
        mailbox=Mailbox(MAILBOX),
    )


def a_message(
    occurred_at: datetime,
    *,
    message_id: str | None = None,
    partner: str = "p1",
    client: str = "c1",
    document: str = "doc-1",
    type: str = "approved",
    folder: str = "PURCHASES",
    category: str = "document",
    document_category: str = "INVOICE",
) -> BanqupMessage:
    return BanqupMessage(
        id=message_id or f"m-{uuid.uuid4().hex}",
        category=category,
        type=type,
        data=MessageData(
            document_id=document,
            space_id=client,
            partner_id=partner,
            folder=folder,
            document_category=document_category,
            occurred_at=occurred_at,
        ),
    )


async def queued(units: UnitOfWorkFactory, now: datetime, count: int) -> list[Export]:
    """`count` new exports, each in the outbox, due at `now`."""
    exports = [an_export(now, document=f"d{n}") for n in range(count)]
    async with units() as uow:
        for export in exports:
            await uow.exports.add(export)
        await uow.outbox.put_many([e.id for e in exports], now)
        await uow.commit()
    return exports
