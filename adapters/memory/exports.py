"""The fake repository of exports."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from adapters.memory.store import Entities
from application.errors import Conflict, NotStored
from application.ports.repositories import (
    OPEN_STATUSES,
    ExportKey,
    ExportQuery,
    ExportRepository,
    ExportsInContext,
    export_key,
)
from domain.client_integration import ClientIntegration
from domain.export import Export, ExportStatus
from domain.extension import Extension


class InMemoryExportRepository(ExportRepository):
    def __init__(
        self,
        exports: Entities[str, Export],
        extensions: Entities[str, Extension],
        integrations: Entities[tuple[str, str], ClientIntegration],
    ) -> None:
        self._items = exports
        self._extensions = extensions
        self._integrations = integrations

    async def get(self, export_id: str, partner_id: str | None = None) -> Export | None:
        export = self._items.get(export_id)
        if export is None or (partner_id is not None and export.partner_id != partner_id):
            return None
        return export

    async def get_many(self, export_ids: Collection[str]) -> Mapping[str, Export]:
        return {i: e for i in export_ids if (e := self._items.get(i)) is not None}

    async def add(self, export: Export) -> None:
        """As the database's keys: an export id taken is `NotStored`; the export's key taken is a
        `Conflict` (the same document recorded first)."""
        if export.id in self._items:
            raise NotStored("an export with this id exists already")
        if any(export_key(e) == export_key(export) for e in self._items.values()):
            raise Conflict("this document has an export for this direction already")
        self._items.add(export.id, export)

    async def add_many(self, exports: Sequence[Export]) -> None:
        for export in exports:
            await self.add(copy.deepcopy(export))  # as they stand now: later changes are not kept

    async def find_many_in_context(self, keys: Collection[ExportKey]) -> ExportsInContext:
        extensions = {p: e for p in {k[0] for k in keys} if (e := self._extensions.peek(p)) is not None}
        integrations = {
            pair: i
            for pair in {k[:2] for k in keys}
            if pair[0] in extensions and (i := self._integrations.peek(pair)) is not None
        }
        wanted = {k for k in keys if k[:2] in integrations}
        exports = {key: e for e in self._items.values() if (key := export_key(e)) in wanted}
        return ExportsInContext(exports, extensions, integrations)

    async def update(self, export: Export) -> None:
        self._items.update(export.id, export)

    async def list(self, query: ExportQuery) -> Sequence[Export]:
        def wanted(e: Export) -> bool:
            return (
                (query.partner_id is None or e.partner_id == query.partner_id)
                and (query.client_id is None or e.client_id == query.client_id)
                and (query.status is None or e.status is query.status)
                and (query.created_from is None or e.created_at >= query.created_from)
                and (query.created_until is None or e.created_at < query.created_until)
                and (query.after is None or (e.created_at, e.id) < query.after)
            )

        found = sorted(filter(wanted, self._items.values()), key=lambda e: (e.created_at, e.id), reverse=True)
        return found[: query.limit]

    async def list_open_of_client(self, partner_id: str, client_id: str) -> Sequence[Export]:
        found = [
            e
            for e in self._items.values()
            if (e.partner_id, e.client_id) == (partner_id, client_id) and e.status in OPEN_STATUSES
        ]
        return sorted(found, key=lambda e: (e.created_at, e.id))

    async def delivery_times(self, since: datetime, limit: int) -> Sequence[tuple[datetime, datetime]]:
        delivered = [
            (e.created_at, e.delivered_at)
            for e in self._items.values()
            if e.status is ExportStatus.DELIVERED and e.delivered_at is not None and e.delivered_at >= since
        ]
        return sorted(delivered, key=lambda times: times[1], reverse=True)[:limit]

    async def count_open(self) -> dict[ExportStatus, int]:
        counts = dict.fromkeys(OPEN_STATUSES, 0)
        for export in self._items.values():
            if export.status in counts:
                counts[export.status] += 1
        return counts

    async def forget_finished_before(self, moment: datetime, limit: int) -> int:
        finished = (ExportStatus.DELIVERED, ExportStatus.SKIPPED)
        old = [e.id for e in self._items.values() if e.status in finished and e.created_at < moment][:limit]
        for export_id in old:
            self._items.remove(export_id)
        return len(old)
