"""What every delivery ledger promises, checked against the fake's, the one through the unit of work
(on SQLite and on PostgreSQL) and PostgreSQL's single statements alike."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from application.errors import Conflict
from domain.export import ExportOrigin, ExportStatus
from tests.adapters.persistence.conftest import Books
from tests.builders import an_export, queued
from tests.conftest import FixedClock


async def test_an_attempt_recorded_settles_the_export_or_puts_it_back(
    books: Books, clock: FixedClock
) -> None:
    units, ledger = books
    """`record`: the export as its attempt left it, and its
    outbox row gone when it is settled, due again when it is deferred; other rows untouched."""
    now = clock.now()
    delivered, deferred, bystander = await queued(units, now, 3)
    async with units() as uow:  # a worker's claim
        claimed = await uow.exports.get_many([delivered.id, deferred.id])
    sent_at, due_again = clock.advance(minutes=1), now + timedelta(hours=1)
    claimed[delivered.id].delivered(sent_at, "<export@octobridge.example>", "250 ok")
    await ledger.record(claimed[delivered.id], None)
    claimed[deferred.id].deferred(sent_at, "451 try later")
    await ledger.record(claimed[deferred.id], due_again)
    claimed[deferred.id].delivered(clock.advance(hours=1), "<export@octobridge.example>", "250 ok")
    await ledger.record(claimed[deferred.id], None)  # its own record is no conflict
    async with units() as uow:
        stored = await uow.exports.get_many([delivered.id, deferred.id, bystander.id])
        assert stored[delivered.id].status is ExportStatus.DELIVERED
        assert stored[delivered.id].delivered_at == sent_at
        assert [a.detail for a in stored[deferred.id].attempts] == ["451 try later", "250 ok"]
        assert stored[bystander.id].status is ExportStatus.QUEUED and not stored[bystander.id].attempts
        assert await uow.outbox.depth() == 1
        assert list(await uow.outbox.claim(now, now + timedelta(minutes=5), 10)) == [bystander.id]


async def test_an_attempt_is_put_back_at_its_due_time(books: Books, clock: FixedClock) -> None:
    units, ledger = books
    now = clock.now()
    (export,) = await queued(units, now, 1)
    async with units() as uow:
        claimed = await uow.exports.get(export.id)
    assert claimed is not None
    claimed.deferred(clock.advance(minutes=1), "451 try later")
    await ledger.record(claimed, now + timedelta(hours=1))
    lease = now + timedelta(hours=2)
    async with units() as uow:
        assert list(await uow.outbox.claim(now + timedelta(minutes=59), lease, 10)) == []
        assert list(await uow.outbox.claim(now + timedelta(hours=1), lease, 10)) == [export.id]


async def test_an_attempt_on_an_export_changed_since_it_was_read_writes_nothing(
    books: Books, clock: FixedClock
) -> None:
    units, ledger = books
    now = clock.now()
    (export,) = await queued(units, now, 1)
    async with units() as uow:  # a worker claims it, then its lease runs out
        claimed = await uow.exports.get(export.id)
    assert claimed is not None
    async with units() as uow:  # another worker's attempt, which puts it back for later
        other = await uow.exports.get(export.id)
        assert other is not None
        other.deferred(clock.advance(minutes=1), "451 try later")
        await uow.outbox.reschedule(export.id, now + timedelta(hours=1))
        await uow.commit()
    claimed.delivered(clock.advance(minutes=1), "<export@octobridge.example>", "250 ok")
    with pytest.raises(Conflict):
        await ledger.record(claimed, None)
    async with units() as uow:
        stored = await uow.exports.get(export.id)
        assert stored is not None and stored.status is ExportStatus.QUEUED
        assert [a.detail for a in stored.attempts] == ["451 try later"]
        assert await uow.outbox.depth() == 1  # the other worker's row stays


async def test_a_claim_leases_due_exports_reads_them_and_drops_settled_ones(
    books: Books, clock: FixedClock
) -> None:
    units, ledger = books
    """`claim`: due exports read as stored, at most `limit`, the
    longest due first; an export settled meanwhile loses its outbox row instead of being claimed."""
    now = clock.now()
    first, second, third, settled, later = (an_export(now, document=f"d{n}") for n in range(5))
    first.deferred(now, "451 try later")
    async with units() as uow:
        for n, export in enumerate((first, second, third, settled)):
            await uow.exports.add(export)
            await uow.outbox.put(export.id, now - timedelta(minutes=10 - n))
        await uow.exports.add(later)
        await uow.outbox.put(later.id, now + timedelta(hours=1))
        await uow.commit()
    async with units() as uow:
        stored = await uow.exports.get(settled.id)
        assert stored is not None
        stored.failed(now, "550 no such mailbox")
        await uow.commit()
    lease = now + timedelta(minutes=5)
    claimed = await ledger.claim(now, lease, 2)
    assert {e.id for e in claimed} == {first.id, second.id}
    by_id = {e.id: e for e in claimed}
    assert by_id[first.id].attempts == first.attempts and by_id[first.id].mailbox == first.mailbox
    assert by_id[first.id].status is ExportStatus.QUEUED and by_id[first.id].occurred_at == first.occurred_at
    assert [e.id for e in await ledger.claim(now, lease, 10)] == [third.id]  # the settled one dropped
    assert await ledger.claim(now, lease, 10) == []
    async with units() as uow:
        assert await uow.outbox.depth() == 4  # first, second and third leased, later waiting
    by_id[first.id].delivered(clock.advance(minutes=1), "<export@octobridge.example>", "250 ok")
    await ledger.record(by_id[first.id], None)  # a claimed export is recorded at its version
    async with units() as uow:
        stored = await uow.exports.get(first.id)
        assert stored is not None and stored.status is ExportStatus.DELIVERED


async def test_claims_side_by_side_never_share_an_export(books: Books, clock: FixedClock) -> None:
    """What one claim leases, another made at the same moment skips rather than takes too."""
    units, ledger = books
    now = clock.now()
    exports = await queued(units, now, 6)
    lease = now + timedelta(minutes=5)
    one, other = await asyncio.gather(ledger.claim(now, lease, 4), ledger.claim(now, lease, 4))
    assert len(one) + len(other) == 6
    assert {e.id for e in one} | {e.id for e in other} == {e.id for e in exports}


async def test_a_claimed_export_is_claimed_again_once_its_lease_ends(books: Books, clock: FixedClock) -> None:
    """A worker that never records its attempt (it stopped) leaves the export to the next one."""
    units, ledger = books
    now = clock.now()
    (export,) = await queued(units, now, 1)
    lease = now + timedelta(minutes=5)
    assert [e.id for e in await ledger.claim(now, lease, 10)] == [export.id]
    assert await ledger.claim(lease - timedelta(seconds=1), lease + timedelta(minutes=5), 10) == []
    again = await ledger.claim(lease, lease + timedelta(minutes=5), 10)
    assert [e.id for e in again] == [export.id]
    again[0].delivered(clock.advance(minutes=6), "<export@octobridge.example>", "250 ok")
    await ledger.record(again[0], None)  # the last claim's read is the current version


async def test_a_backfills_exports_are_claimed_only_once_no_documents_own_is_due(
    books: Books, clock: FixedClock
) -> None:
    """Lanes (CONTRACTS §9): backfilled exports due for an hour wait behind a fresh document's export
    due this minute, and go when nothing else is due."""
    units, ledger = books
    now = clock.now()
    backfilled = [an_export(now, document=f"old-{n}") for n in range(3)]
    fresh = [an_export(now, document=f"new-{n}") for n in range(2)]
    async with units() as uow:
        await uow.exports.add_many([*backfilled, *fresh])
        await uow.outbox.put_many([e.id for e in backfilled], now - timedelta(hours=1), ExportOrigin.BACKFILL)
        await uow.outbox.put_many([e.id for e in fresh], now)
        await uow.commit()
    lease = now + timedelta(minutes=5)
    assert {e.id for e in await ledger.claim(now, lease, 2)} == {e.id for e in fresh}
    assert {e.id for e in await ledger.claim(now, lease, 10)} == {e.id for e in backfilled}
