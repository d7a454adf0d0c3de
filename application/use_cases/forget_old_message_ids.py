"""Forgetting the ids of messages handled long ago, so that their table does not grow for ever."""

from __future__ import annotations

from datetime import timedelta

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory

KEPT_FOR = timedelta(days=30)
FORGOTTEN_A_TRANSACTION = 5_000


class ForgetOldMessageIds:
    """Forgets the ids of messages received more than `KEPT_FOR` ago, a few thousand a transaction
    so that SQLite's write lock is never held long; returns how many were forgotten.

    R11 loses nothing by it: a signed message more than five minutes old is refused by its
    timestamp, RabbitMQ redelivers within hours, and whatever message brings a document again, the
    export's own key (document, direction) refuses a second export of it.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, kept_for: timedelta = KEPT_FOR) -> None:
        self._uow = uow
        self._clock = clock
        self._kept_for = kept_for

    async def __call__(self) -> int:
        """Batch after batch, each starting where the one before ended."""
        before, since, total = self._clock.now() - self._kept_for, None, 0
        while True:
            async with self._uow() as uow:
                forgotten = await uow.messages.forget_received_before(before, FORGOTTEN_A_TRANSACTION, since)
                await uow.commit()
            total += forgotten.count
            if forgotten.count < FORGOTTEN_A_TRANSACTION:
                return total
            since = forgotten.last_received_at
