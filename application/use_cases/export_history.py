"""The export history (R17)."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.export_pages import ListExports, export_page
from application.views import ExportPage


class ExportHistory:
    """A page of exports, newest first, scoped to one partner (or all, for operators)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: ListExports) -> ExportPage:
        return await export_page(self._uow, command)
