"""The readiness probe's question to the database."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory


class CheckDatabase:
    """Reads one small table; raises `Unavailable` when the database cannot answer."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> None:
        async with self._uow() as uow:
            await uow.outbox.depth()
