"""Naming and loading a backfill, and what a backfill needs of its client to go on."""

from __future__ import annotations

from application.errors import NotFound
from application.ports.unit_of_work import UnitOfWork
from application.views import Struct
from domain.backfill import Backfill
from domain.client_integration import ClientIntegration
from domain.extension import Extension


class BackfillOf(Struct):
    """Which backfill: they are found by partner and client too (another's is not found)."""

    partner_id: str
    client_id: str
    backfill_id: str


async def load_backfill(uow: UnitOfWork, partner_id: str, client_id: str, backfill_id: str) -> Backfill:
    """The backfill of that client of that partner, or `NotFound`."""
    backfill = await uow.backfills.get(partner_id, client_id, backfill_id)
    if backfill is None:
        raise NotFound("no such backfill")
    return backfill


def why_no_backfill(extension: Extension | None, integration: ClientIntegration | None) -> str | None:
    """Why the client's earlier documents cannot be exported now, or None when they can: the
    client's integration and its partner's extension must both be active, as for its new documents."""
    if integration is None or not integration.active:
        return "the client's Octopus integration is not active"
    if extension is None or not extension.active:
        return "the partner's extension is not active"
    return None
