"""The record of delivery status notifications (CONTRACTS §8), against the fake, SQLite and PostgreSQL:
each report of an export recorded once, however often and however concurrently it arrives."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from application.errors import Conflict, NotStored
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.export import Export
from tests.builders import an_export
from tests.conftest import FixedClock


async def _stored(units: UnitOfWorkFactory, export: Export) -> str:
    async with units() as uow:
        await uow.exports.add(export)
        await uow.commit()
    return export.id


async def test_a_report_is_new_once_per_export_action_and_status(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    one = await _stored(units, an_export(clock.now()))
    other = await _stored(units, an_export(clock.now()))
    async with units() as uow:
        assert await uow.delivery_reports.record(one, "failed", "5.1.1", clock.now())
        assert not await uow.delivery_reports.record(one, "failed", "5.1.1", clock.now())  # its own write
        await uow.commit()
    async with units() as uow:
        assert not await uow.delivery_reports.record(one, "failed", "5.1.1", clock.advance(days=1))
        assert await uow.delivery_reports.record(one, "delayed", "4.4.1", clock.now())
        assert await uow.delivery_reports.record(one, "failed", "5.2.2", clock.now())
        assert await uow.delivery_reports.record(other, "failed", "5.1.1", clock.now())


async def test_a_report_left_uncommitted_is_new_again(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    export_id = await _stored(units, an_export(clock.now()))
    async with units() as uow:
        assert await uow.delivery_reports.record(export_id, "failed", "5.1.1", clock.now())
    async with units() as uow:
        assert await uow.delivery_reports.record(export_id, "failed", "5.1.1", clock.now())


async def test_a_report_of_an_export_that_does_not_exist_is_not_stored(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    with pytest.raises(NotStored):
        async with units() as uow:
            await uow.delivery_reports.record("no-such-export", "failed", "5.1.1", clock.now())
            await uow.commit()


async def test_two_transactions_recording_one_report_at_once_record_it_once(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    export_id = await _stored(units, an_export(clock.now()))

    async def record() -> bool:
        async with units() as uow:
            new = await uow.delivery_reports.record(export_id, "failed", "5.1.1", clock.now())
            await asyncio.sleep(0.05)  # the other one records meanwhile, where the database lets it
            await uow.commit()
            return new

    results = await asyncio.gather(record(), record(), return_exceptions=True)
    told_new_and_kept = [r for r in results if r is True]
    assert len(told_new_and_kept) == 1
    assert all(r is True or r is False or isinstance(r, Conflict) for r in results), results
    async with units() as uow:
        assert not await uow.delivery_reports.record(export_id, "failed", "5.1.1", clock.now())


async def test_a_delivered_export_with_reports_is_still_forgotten_in_time(
    units: UnitOfWorkFactory, clock: FixedClock
) -> None:
    export = an_export(clock.now())
    export.delivered(clock.now(), "<export-1@octobridge.example>", "250 queued")
    export_id = await _stored(units, export)
    async with units() as uow:
        await uow.delivery_reports.record(export_id, "delayed", "4.4.1", clock.now())
        await uow.commit()
    async with units() as uow:
        assert await uow.exports.forget_finished_before(clock.now() + timedelta(days=1), 10) == 1
        await uow.commit()
    async with units() as uow:
        assert await uow.exports.get(export_id) is None
