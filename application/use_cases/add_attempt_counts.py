"""Adding a worker's export attempts to the totals (for operators' figures)."""

from __future__ import annotations

from collections.abc import Mapping

from application.ports.attempt_counts import AttemptKind
from application.ports.unit_of_work import UnitOfWorkFactory


class AddAttemptCounts:
    """Adds a worker's export attempts since it last did to the totals all workers add to."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, counts: Mapping[AttemptKind, int]) -> None:
        async with self._uow() as uow:
            await uow.attempt_counts.add(counts)
            await uow.commit()
