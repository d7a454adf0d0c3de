"""Pages of the export history, newest first, behind an opaque cursor (R17)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from application.errors import Invalid
from application.ports.repositories import ExportQuery
from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import ExportPage, ExportView, Struct
from domain.export import ExportStatus

MAX_PAGE = 100


class ListExports(Struct):
    partner_id: str | None = None
    client_id: str | None = None
    status: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    limit: int = 50
    cursor: str | None = None


def encode_cursor(created_at: datetime, export_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{export_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, export_id = text.split("|", 1)
        created_at = datetime.fromisoformat(stamp)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("cursor is not one this API gave out", field="cursor") from exc
    if created_at.tzinfo is None:  # every cursor given out carries its zone
        raise Invalid("cursor is not one this API gave out", field="cursor")
    return created_at, export_id


async def export_page(uow: UnitOfWorkFactory, command: ListExports) -> ExportPage:
    """The page `command` asks for; `Invalid` for a limit, status or cursor out of bounds."""
    if not 1 <= command.limit <= MAX_PAGE:
        raise Invalid(f"limit must lie between 1 and {MAX_PAGE}", field="limit")
    try:
        status = ExportStatus(command.status) if command.status else None
    except ValueError as exc:
        raise Invalid("status must be queued, delivered, failed or skipped", field="status") from exc
    query = ExportQuery(
        partner_id=command.partner_id,
        client_id=command.client_id,
        status=status,
        created_from=command.created_from,
        created_until=command.created_until,
        limit=command.limit + 1,
        after=decode_cursor(command.cursor) if command.cursor else None,
    )
    async with uow() as reading:
        exports = list(await reading.exports.list(query))
    page, more = exports[: command.limit], len(exports) > command.limit
    cursor = encode_cursor(page[-1].created_at, page[-1].id) if more else None
    return ExportPage(items=[ExportView.of(e) for e in page], next_cursor=cursor)
