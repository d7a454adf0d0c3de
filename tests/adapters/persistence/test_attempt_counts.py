"""The totals of export attempts: what every implementation promises (fake, SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio

from application.ports.unit_of_work import UnitOfWorkFactory


async def test_counts_add_up_by_outcome_and_reason_and_only_when_committed(units: UnitOfWorkFactory) -> None:
    async with units() as uow:
        assert await uow.attempt_counts.totals() == {}
        await uow.attempt_counts.add(
            {("deferred", "relay"): 3, ("delivered", ""): 2, ("failed", "document"): 0}
        )
        await uow.commit()
    async with units() as uow:
        await uow.attempt_counts.add({("deferred", "relay"): 4, ("failed", "recipient"): 1})
        await uow.commit()
    async with units() as uow:
        await uow.attempt_counts.add({("deferred", "relay"): 100})  # left uncommitted
    async with units() as uow:
        assert await uow.attempt_counts.totals() == {
            ("deferred", "relay"): 7,
            ("delivered", ""): 2,
            ("failed", "recipient"): 1,
        }


async def test_workers_adding_at_once_lose_nothing(units: UnitOfWorkFactory) -> None:
    workers = 8

    async def flush() -> None:
        async with units() as uow:
            await uow.attempt_counts.add({("deferred", "relay"): 5, ("delivered", ""): 1})
            await uow.commit()

    await asyncio.gather(*(flush() for _ in range(workers)))
    async with units() as uow:
        assert await uow.attempt_counts.totals() == {
            ("deferred", "relay"): 5 * workers,
            ("delivered", ""): workers,
        }
