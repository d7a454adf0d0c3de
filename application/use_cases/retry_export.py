"""Retrying a failed export (R17)."""

from __future__ import annotations

from application.errors import Conflict
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.exports import load_export
from application.views import ExportView, Struct
from domain.export import ExportStatus


class Retry(Struct):
    export_id: str
    partner_id: str | None = None
    client_id: str | None = None


class RetryExport:
    """A person puts a failed export back in the queue (R17); `Conflict` when it has not failed.
    Given a partner, or a client too (a client's page), an export of any other is not found."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: Retry) -> ExportView:
        async with self._uow() as uow:
            export = await load_export(uow, command.export_id, command.partner_id, command.client_id)
            if export.status is not ExportStatus.FAILED:
                raise Conflict(f"only a failed export can be retried; this one is {export.status}")
            now = self._clock.now()
            export.retry(now)
            await uow.outbox.put(export.id, now)
            await uow.commit()
            return ExportView.of(export)
