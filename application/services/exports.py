"""Loading an export."""

from __future__ import annotations

from application.errors import NotFound
from application.ports.unit_of_work import UnitOfWork
from domain.export import Export


async def load_export(
    uow: UnitOfWork, export_id: str, partner_id: str | None = None, client_id: str | None = None
) -> Export:
    """The export, or `NotFound`; given a partner, or a client too, an export of any other is not
    found."""
    export = await uow.exports.get(export_id, partner_id)
    if export is None or client_id not in (None, export.client_id):
        raise NotFound("no such export")
    return export
