"""Deleting in bounded batches, one transaction each, so that no lock is held long."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


async def forget_in_batches(
    uow: UnitOfWorkFactory, forget: Callable[[UnitOfWork, int], Awaitable[int]], batch: int
) -> int:
    """Calls `forget(uow, batch)` in a transaction of its own until it forgets fewer than `batch`;
    returns how many were forgotten in all."""
    total = 0
    while True:
        async with uow() as unit:
            forgotten = await forget(unit, batch)
            await unit.commit()
        total += forgotten
        if forgotten < batch:
            return total
