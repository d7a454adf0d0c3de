"""A client's export history as its partner sees it (R17)."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.export_pages import ListExports, export_page
from application.services.integrations import load_integration
from application.views import ExportPage


class ClientExportHistory:
    """A client's exports as its partner sees them; `NotFound` when the partner has no integration
    for that client, so another partner's client ids reveal nothing."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: ListExports) -> ExportPage:
        assert command.partner_id is not None and command.client_id is not None
        async with self._uow() as uow:
            await load_integration(uow, command.partner_id, command.client_id)
        return await export_page(self._uow, command)
