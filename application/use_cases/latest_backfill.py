"""A client's last backfill, for its page (CONTRACTS §9)."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import BackfillView, Struct


class BackfillsOf(Struct):
    partner_id: str
    client_id: str


class LatestBackfill:
    """The client's backfill asked for last, running or ended, or None: what its page shows."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: BackfillsOf) -> BackfillView | None:
        async with self._uow() as uow:
            latest = await uow.backfills.latest(command.partner_id, command.client_id)
            return None if latest is None else BackfillView.of(latest)
