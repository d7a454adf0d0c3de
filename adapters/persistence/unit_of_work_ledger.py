"""The delivery ledger through any unit of work: a claim and a record are one unit of work each."""

from __future__ import annotations

from datetime import datetime

from application.outbox_rows import take_off_or_put_back
from application.ports.delivery_ledger import DeliveryLedger
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.export import Export, ExportStatus


class UnitOfWorkDeliveryLedger(DeliveryLedger):
    """Four round trips a call (BEGIN, two statements, COMMIT) through the repositories; what SQLite
    and any database without `PostgresDeliveryLedger`'s single statements use."""

    def __init__(self, units: UnitOfWorkFactory) -> None:
        self._units = units

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Export]:
        claimed = []
        async with self._units() as uow:
            leased = await uow.outbox.claim(now, lease_until, limit)
            exports = await uow.exports.get_many(leased)
            for export_id in leased:
                export = exports.get(export_id)
                if export is None or export.status is not ExportStatus.QUEUED:
                    await uow.outbox.remove(export_id)
                else:
                    claimed.append(export)
            await uow.commit()
        return claimed

    async def record(self, export: Export, due_again: datetime | None) -> None:
        async with self._units() as uow:
            await take_off_or_put_back(uow.outbox, export.id, due_again)
            await uow.exports.update(export)
            await uow.commit()
