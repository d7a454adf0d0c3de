"""Reading one export (R17)."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.exports import load_export
from application.views import ExportView, Struct


class ExportOf(Struct):
    export_id: str
    partner_id: str | None = None


class GetExport:
    """One export; given a partner, an export of any other is not found."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: ExportOf) -> ExportView:
        async with self._uow() as uow:
            return ExportView.of(await load_export(uow, command.export_id, command.partner_id))
