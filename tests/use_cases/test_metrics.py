"""The figures behind /metrics: open exports by status, queue depth, delivery latency, attempts and
what waits for a person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.use_cases.add_attempt_counts import AddAttemptCounts
from application.use_cases.read_operational_figures import AttemptCount, ReadOperationalFigures
from tests.builders import an_export
from tests.conftest import FixedClock


async def deliver_after(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, seconds: list[float], batch: str = "a"
) -> None:
    """One export per figure, queued now and delivered that many seconds later."""
    async with units() as uow:
        for n, delay in enumerate(seconds):
            export = an_export(clock.now(), document=f"{batch}-{n}")
            export.delivered(clock.now() + timedelta(seconds=delay), f"<{n}@x>", "250 ok")
            await uow.exports.add(export)
        await uow.commit()


async def test_latency_quantiles_cover_the_last_hour_only(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await deliver_after(units, clock, [100.0])  # delivered now + 100 s: too old once two hours pass
    clock.advance(hours=2)
    await deliver_after(units, clock, [float(s) for s in range(1, 101)], batch="b")
    clock.advance(minutes=5)
    figures = await ReadOperationalFigures(units, clock)()
    assert figures.exports_by_status == {"queued": 0, "failed": 0}, "delivered ones are not counted"
    assert figures.delivery_latency == pytest.approx({"0.5": 50.5, "0.9": 90.1, "0.99": 99.01})


async def test_no_delivery_in_the_last_hour_gives_no_latency(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    figures = await ReadOperationalFigures(units, clock)()
    assert (figures.delivery_latency, figures.queue_depth) == ({}, 0)
    await deliver_after(units, clock, [3.0])
    assert (await ReadOperationalFigures(units, clock)()).delivery_latency == {
        "0.5": 3.0,
        "0.9": 3.0,
        "0.99": 3.0,
    }


async def test_attempts_added_by_workers_are_read_by_outcome_and_reason(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    assert (await ReadOperationalFigures(units, clock)()).attempts == []
    add = AddAttemptCounts(units)
    await add({("deferred", "relay"): 30, ("delivered", ""): 2})
    await add({("deferred", "relay"): 12})
    assert (await ReadOperationalFigures(units, clock)()).attempts == [
        AttemptCount(outcome="deferred", reason="relay", count=42),
        AttemptCount(outcome="delivered", reason="", count=2),
    ]


async def test_attention_counts_clients_of_every_partner_by_reason_every_reason_present(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    assert (await ReadOperationalFigures(units, clock)()).attention == {
        "mailboxRefused": 0,
        "needsReconnect": 0,
        "failedExports": 0,
        "dossierWithoutVat": 0,
    }
    async with units() as uow:
        for partner, client, failed in (("p1", "c1", 2), ("p1", "c2", 1), ("p2", "c1", 1)):
            for n in range(failed):
                export = an_export(clock.now(), partner=partner, client=client, document=f"d{n}")
                export.failed(clock.now(), "554 rejected")
                await uow.exports.add(export)
        held = an_export(clock.now(), partner="p2", client="c2")
        held.hold()
        await uow.exports.add(held)
        await uow.commit()
    assert (await ReadOperationalFigures(units, clock)()).attention == {
        "mailboxRefused": 1,
        "needsReconnect": 0,
        "failedExports": 3,  # clients, however many exports each
        "dossierWithoutVat": 0,
    }
