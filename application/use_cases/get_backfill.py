"""Reading a backfill's progress (CONTRACTS §9)."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.backfills import BackfillOf, load_backfill
from application.views import BackfillView


class GetBackfill:
    """A backfill and its counts; one of another client or partner is not found."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, command: BackfillOf) -> BackfillView:
        async with self._uow() as uow:
            return BackfillView.of(
                await load_backfill(uow, command.partner_id, command.client_id, command.backfill_id)
            )
