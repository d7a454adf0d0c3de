"""What the backfill repository promises (CONTRACTS §9), checked against the fake, SQLite and
PostgreSQL alike: backfills kept with their counts and cursor, one running per client whatever
races, and a write of a backfill that another transaction changed refused."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from application.errors import Conflict
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.backfill import Backfill, BackfillState
from tests.conftest import FixedClock

FIRST, LAST = date(2026, 9, 1), date(2026, 10, 31)


def asked(clock: FixedClock, backfill_id: str, partner: str = "p1", client: str = "c1") -> Backfill:
    return Backfill.asked(backfill_id, partner, client, FIRST, LAST, clock.now())


async def test_a_backfill_keeps_its_days_counts_and_cursor(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    backfill = asked(clock, "b1")
    async with units() as uow:
        await uow.backfills.add(backfill)
        await uow.commit()
    backfill.page_done("cursor-2", queued=7, already_exported=2, ignored=1)
    async with units() as uow:
        await uow.backfills.update(backfill)
        await uow.commit()
    async with units() as uow:
        stored = await uow.backfills.get("p1", "c1", "b1")
        assert stored is not None
        assert (stored.first_day, stored.last_day, stored.requested_at) == (FIRST, LAST, clock.now())
        assert (stored.listed, stored.queued, stored.already_exported, stored.ignored) == (10, 7, 2, 1)
        assert stored.cursor == "cursor-2" and stored.state is BackfillState.RUNNING
        stored.done(clock.advance(minutes=3))
        await uow.backfills.update(stored)
        await uow.commit()
    async with units() as uow:
        stored = await uow.backfills.get("p1", "c1", "b1")
        assert stored is not None and stored.state is BackfillState.DONE
        assert stored.finished_at == clock.now() and stored.cursor is None


async def test_a_backfill_of_another_client_or_partner_is_not_found(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        await uow.backfills.add(asked(clock, "b1"))
        await uow.commit()
    async with units() as uow:
        assert await uow.backfills.get("p1", "c1", "b1") is not None
        assert await uow.backfills.get("p2", "c1", "b1") is None
        assert await uow.backfills.get("p1", "c2", "b1") is None
        assert await uow.backfills.get("p1", "c1", "b2") is None


async def test_one_running_backfill_per_client_and_any_number_ended(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        await uow.backfills.add(asked(clock, "b1"))
        await uow.backfills.add(asked(clock, "b2", client="c2"))
        await uow.backfills.add(asked(clock, "b3", partner="p2"))
        await uow.commit()
    with pytest.raises(Conflict):
        async with units() as uow:
            await uow.backfills.add(asked(clock, "b4"))
            await uow.commit()
    async with units() as uow:
        first = await uow.backfills.get("p1", "c1", "b1")
        assert first is not None
        first.failed(clock.advance(minutes=1), "Banqup does not know the client's space")
        await uow.commit()
    async with units() as uow:  # one ended: another may run
        await uow.backfills.add(asked(clock, "b4"))
        await uow.commit()
    async with units() as uow:
        running = await uow.backfills.list_running()
    assert [b.id for b in running] == ["b2", "b3", "b4"]


async def test_two_transactions_racing_to_start_a_clients_backfill_leave_one_running(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async def start(backfill_id: str) -> str:
        async with units() as uow:
            await uow.backfills.add(asked(clock, backfill_id))
            await uow.commit()
            return "started"

    results = await asyncio.gather(start("b1"), start("b2"), return_exceptions=True)
    assert sorted(type(r).__name__ if isinstance(r, Exception) else r for r in results) == [
        "Conflict",
        "started",
    ]
    async with units() as uow:
        assert len(await uow.backfills.list_running()) == 1


async def test_a_backfill_changed_since_it_was_read_is_not_written(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        await uow.backfills.add(asked(clock, "b1"))
        await uow.commit()
    async with units() as uow:
        mine = (await uow.backfills.list_running())[0]
    async with units() as uow:  # another worker takes the first page
        theirs = (await uow.backfills.list_running())[0]
        theirs.page_done("cursor-2", queued=100, already_exported=0, ignored=0)
        await uow.backfills.update(theirs)
        await uow.commit()
    mine.page_done("cursor-2", queued=100, already_exported=0, ignored=0)
    with pytest.raises(Conflict):
        async with units() as uow:
            await uow.backfills.update(mine)
            await uow.commit()
    theirs.page_done(None, queued=5, already_exported=0, ignored=0)  # the winner goes on as it is
    async with units() as uow:
        await uow.backfills.update(theirs)
        await uow.commit()
    async with units() as uow:
        stored = await uow.backfills.get("p1", "c1", "b1")
        assert stored is not None and stored.queued == 105


async def test_the_latest_backfill_of_a_client_is_the_one_asked_for_last(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        assert await uow.backfills.latest("p1", "c1") is None
        first = asked(clock, "b-first")
        first.done(clock.now())
        await uow.backfills.add(first)
        await uow.commit()
    clock.advance(minutes=1)
    async with units() as uow:
        await uow.backfills.add(asked(clock, "b-second"))
        await uow.backfills.add(asked(clock, "b-other", partner="p2"))
        await uow.commit()
    async with units() as uow:
        latest = await uow.backfills.latest("p1", "c1")
        assert latest is not None and latest.id == "b-second"
        assert await uow.backfills.latest("p1", "c2") is None
