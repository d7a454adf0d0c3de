"""The fake delivery ledger, straight on the fakes' store."""

from __future__ import annotations

import copy
from datetime import datetime

from adapters.memory.store import MemoryStore, OutboxRow, version_of, write_back
from application.errors import Conflict
from application.ports.delivery_ledger import DeliveryLedger
from domain.export import Export, ExportStatus


class InMemoryDeliveryLedger(DeliveryLedger):
    """Each call runs to its end without suspending, so no two claims ever share a row."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Export]:
        outbox, exports = self._store.outbox, self._store.exports
        due = sorted((row, export_id) for export_id, row in outbox.items() if row.available_at <= now)[:limit]
        claimed = []
        for row, export_id in due:
            export = exports.get(export_id)
            if export is None or export.status is not ExportStatus.QUEUED:
                del outbox[export_id]
            else:
                outbox[export_id] = OutboxRow(row.lane, lease_until)
                claimed.append(copy.deepcopy(export))
        self._store.commits += 1
        return claimed

    async def record(self, export: Export, due_again: datetime | None) -> None:
        stored = self._store.exports.get(export.id)
        if stored is None or version_of(stored) != version_of(export):
            raise Conflict("another transaction changed the export since it was read")
        write_back(self._store.exports, export.id, export)
        if due_again is None:
            self._store.outbox.pop(export.id, None)
        elif (row := self._store.outbox.get(export.id)) is not None:
            self._store.outbox[export.id] = OutboxRow(row.lane, due_again)
        self._store.commits += 1
