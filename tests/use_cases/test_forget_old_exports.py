"""Retention: delivered and skipped exports are forgotten once older than the retention, a batch a
transaction; queued and failed ones are kept; no retention keeps them all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.use_cases import forget_old_exports
from application.use_cases.forget_old_exports import ForgetOldExports
from domain.export import ExportStatus
from tests.builders import an_export
from tests.conftest import FixedClock

RETENTION = timedelta(days=400)


async def test_finished_exports_older_than_the_retention_are_forgotten_in_batches(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forget_old_exports, "FORGOTTEN_A_TRANSACTION", 2)
    old = [an_export(clock.now(), status=status) for status in [*ExportStatus, ExportStatus.SKIPPED]]
    on_the_day = an_export(clock.advance(days=1), status=ExportStatus.DELIVERED)
    async with units() as uow:
        await uow.exports.add_many([*old, on_the_day])
        await uow.commit()
    clock.advance(days=400)  # 401 days after the old ones, exactly 400 after "on the day"

    assert await ForgetOldExports(units, clock, kept_for=RETENTION)() == 3
    assert await ForgetOldExports(units, clock, kept_for=RETENTION)() == 0
    async with units() as uow:
        kept = await uow.exports.get_many([e.id for e in [*old, on_the_day]])
    assert {e.status for e in kept.values()} == {
        ExportStatus.QUEUED,
        ExportStatus.FAILED,
        ExportStatus.DELIVERED,
    }


async def test_without_a_retention_every_export_is_kept(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with units() as uow:
        await uow.exports.add(an_export(clock.now(), status=ExportStatus.DELIVERED))
        await uow.commit()
    clock.advance(days=10_000)
    assert await ForgetOldExports(units, clock, kept_for=None)() == 0
