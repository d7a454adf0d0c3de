"""Asking for a client's earlier documents (R27, CONTRACTS §9)."""

from __future__ import annotations

from datetime import date

from application.errors import Conflict
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.backfills import why_no_backfill
from application.services.integrations import load_integration
from application.views import BackfillView, Struct
from domain.backfill import Backfill
from domain.keys import time_ordered_id


class AskBackfill(Struct):
    partner_id: str
    client_id: str
    first_day: date
    last_day: date | None = None  # today (UTC) when left out, fixed from then on


class RequestBackfill:
    """A person asks for a client's documents approved or sent between two days: the backfill is
    stored `running` and a worker lists Banqup in the background (`RunBackfill`).

    `InvalidValue` naming `from` or `to` for days out of range (at most 400 days back, not after
    today, `from` ≤ `to`); `NotFound` when the partner has no integration for the client; `Conflict`
    when the integration or the partner's extension is not active, or a backfill of the client is
    running (one at most, whatever races between processes).
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: AskBackfill) -> BackfillView:
        now = self._clock.now()
        backfill = Backfill.asked(
            time_ordered_id(now),
            command.partner_id,
            command.client_id,
            command.first_day,
            command.last_day,
            now,
        )
        async with self._uow() as uow:
            integration = await load_integration(uow, command.partner_id, command.client_id)
            why_not = why_no_backfill(await uow.extensions.get(command.partner_id), integration)
            if why_not is not None:
                raise Conflict(f"{why_not}: no backfill can run")
            await uow.backfills.add(backfill)
            try:
                await uow.commit()
            except Conflict as exc:  # the id is new: only the client's running backfill can clash
                raise Conflict("a backfill of this client is running; ask again once it has ended") from exc
        return BackfillView.of(backfill)
