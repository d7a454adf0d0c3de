"""The fake outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.memory.store import Entities, OutboxRow, Staged
from application.errors import NotStored
from application.ports.repositories import Outbox, lane_of
from domain.export import Export, ExportOrigin


class InMemoryOutbox(Outbox):
    def __init__(self, rows: Staged[str, OutboxRow], exports: Entities[str, Export]) -> None:
        self._items = rows
        self._exports = exports

    async def put(self, export_id: str, available_at: datetime) -> None:
        await self.put_many([export_id], available_at)

    async def put_many(
        self, export_ids: Sequence[str], available_at: datetime, origin: ExportOrigin = ExportOrigin.EVENT
    ) -> None:
        """As the database's foreign key: a row for an export that does not exist is `NotStored`."""
        if missing := [e for e in export_ids if e not in self._exports]:
            raise NotStored(f"the outbox names exports that do not exist: {missing}")
        for export_id in export_ids:
            self._items.put(export_id, OutboxRow(lane_of(origin), available_at))

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> Sequence[str]:
        rows = self._items.items()
        due = sorted((row, export_id) for export_id, row in rows if row.available_at <= now)[:limit]
        for row, export_id in due:
            self._items.put(export_id, OutboxRow(row.lane, lease_until))
        return [export_id for _, export_id in due]

    async def reschedule(self, export_id: str, available_at: datetime) -> None:
        if (row := self._items.get(export_id)) is not None:
            self._items.put(export_id, OutboxRow(row.lane, available_at))

    async def remove(self, export_id: str) -> None:
        self._items.remove(export_id)

    async def depth(self) -> int:
        return sum(1 for _ in self._items.items())
