"""Looking at exports and retrying failed ones (R17)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from application.errors import Conflict, Invalid, NotFound
from application.ports.clock import Clock
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


class ExportHistory:
    """A page of exports, newest first, scoped to one partner (or all, for operators)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: ListExports) -> ExportPage:
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
        async with self._uow() as uow:
            exports = list(await uow.exports.list(query))
        page, more = exports[: command.limit], len(exports) > command.limit
        cursor = encode_cursor(page[-1].created_at, page[-1].id) if more else None
        return ExportPage(items=[ExportView.of(e) for e in page], next_cursor=cursor)


class GetExport:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, export_id: str, partner_id: str | None = None) -> ExportView:
        async with self._uow() as uow:
            export = await uow.exports.get(export_id, partner_id)
            if export is None:
                raise NotFound("no such export")
            return ExportView.of(export)


class RetryExport:
    """A person puts a failed export back in the queue (R17); `Conflict` when it has not failed.
    Given a partner, or a client too (a client's page), an export of any other is not found."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, export_id: str, partner_id: str | None = None, client_id: str | None = None
    ) -> ExportView:
        async with self._uow() as uow:
            export = await uow.exports.get(export_id, partner_id)
            if export is None or client_id not in (None, export.client_id):
                raise NotFound("no such export")
            if export.status is not ExportStatus.FAILED:
                raise Conflict(f"only a failed export can be retried; this one is {export.status}")
            now = self._clock.now()
            export.retry(now)
            await uow.outbox.put(export.id, now)
            await uow.commit()
            return ExportView.of(export)


class ClientExportHistory:
    """A client's exports as its partner sees them; `NotFound` when the partner has no integration
    for that client, so another partner's client ids reveal nothing."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self._history = ExportHistory(uow)

    async def __call__(self, command: ListExports) -> ExportPage:
        assert command.partner_id is not None and command.client_id is not None
        async with self._uow() as uow:
            if await uow.integrations.get(command.partner_id, command.client_id) is None:
                raise NotFound("this client has no Octopus integration")
        return await self._history(command)
