"""The fake record of the delivery status notifications read."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.store import Entities, Staged
from application.errors import NotStored
from application.ports.delivery_reports import DeliveryReports
from domain.export import Export

ReportKey = tuple[str, str, str, str]  # export id, action, status, recipient


class InMemoryDeliveryReports(DeliveryReports):
    def __init__(self, reports: Staged[ReportKey, datetime], exports: Entities[str, Export]) -> None:
        self._items = reports
        self._exports = exports

    async def record(
        self, export_id: str, action: str, status: str, received_at: datetime, recipient: str = ""
    ) -> bool:
        """As the database's foreign key: a report of an export that does not exist is `NotStored`."""
        if export_id not in self._exports:
            raise NotStored(f"a delivery report names an export that does not exist: {export_id}")
        key = (export_id, action, status, recipient)
        if key in self._items:
            return False
        self._items.put(key, received_at)
        return True
