"""Retrying a failed export (R17)."""

from __future__ import annotations

from application.errors import Conflict
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.exports import load_export
from application.services.refusals import held_while_refused
from application.views import ExportView, Struct
from domain.export import ExportStatus


class Retry(Struct):
    export_id: str
    partner_id: str | None = None
    client_id: str | None = None


class RetryExport:
    """A person puts a failed export back in the queue (R17); `Conflict` when it has not failed.
    Given a partner, or a client too (a client's page), an export of any other is not found.

    While its client's mailbox is refused, the export is queued but held, not attempted, like the
    client's new exports, until a new or confirmed address releases it (CONTRACTS §8). One that the
    refusal of an address failed, retried once the client has a working address, goes to that one."""

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
            integration = await uow.integrations.get(export.partner_id, export.client_id)
            if not held_while_refused(export, integration):
                if export.held is not None and integration is not None and integration.mailbox is not None:
                    export.released(now, integration.mailbox)
                await uow.outbox.put_many([export.id], now, export.origin)  # a backfill's stays behind
            await uow.commit()
            return ExportView.of(export)
