"""Figures for operators' dashboards and probes: exports by status and the delivery queue."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import Struct


class OperationalFigures(Struct):
    exports_by_status: dict[str, int]
    queue_depth: int


class ReadOperationalFigures:
    """How many exports are in each status, and how many wait in the outbox for a worker."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> OperationalFigures:
        async with self._uow() as uow:
            counts = await uow.exports.count_by_status()
            depth = await uow.outbox.depth()
        return OperationalFigures(
            exports_by_status={str(status): count for status, count in counts.items()}, queue_depth=depth
        )


class CheckDatabase:
    """Reads one small table; raises `Unavailable` when the database cannot answer."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> None:
        async with self._uow() as uow:
            await uow.outbox.depth()
