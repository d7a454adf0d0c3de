"""`GroupCommit` on its own: who shares a batch, who waits, and whose failure is whose."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from application.errors import Conflict, NotStored, Unavailable
from application.group_commit import GroupCommit


class Ledger:
    """A `write` that keeps the batches it was given and answers each item doubled, or fails as told:
    `refused` items always fail the batch holding them with `NotStored`; `outrun` items fail it with
    `Conflict` the first time each is written; `down` fails every batch."""

    def __init__(
        self, *, refused: frozenset[int] = frozenset(), outrun: frozenset[int] = frozenset()
    ) -> None:
        self.batches: list[list[int]] = []
        self.committed: list[int] = []
        self.refused = refused
        self.outrun = set(outrun)
        self.down = False
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    async def write(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        self.started.set()
        await self.release.wait()
        if self.down:
            raise Unavailable("the database cannot be reached")
        if refused := self.refused.intersection(items):
            raise NotStored(f"refused: {sorted(refused)}")
        if outrun := self.outrun.intersection(items):
            self.outrun -= outrun
            raise Conflict(f"recorded first elsewhere: {sorted(outrun)}")
        self.committed.extend(items)
        return [item * 2 for item in items]


async def test_an_item_that_finds_no_batch_in_progress_is_written_at_once() -> None:
    ledger = Ledger()
    group = GroupCommit(ledger.write)
    assert await group(1) == 2
    assert await group(2) == 4
    assert ledger.batches == [[1], [2]]  # nobody waited for company


async def test_items_that_arrive_during_a_batch_go_together_into_the_next_up_to_the_limit() -> None:
    ledger = Ledger()
    ledger.release.clear()
    group = GroupCommit(ledger.write, limit=3)
    first = group(0)
    await ledger.started.wait()  # the first batch is being written
    waiting = [group(n) for n in range(1, 6)]
    ledger.release.set()
    assert await first == 0
    assert [await w for w in waiting] == [2, 4, 6, 8, 10]
    assert ledger.batches == [[0], [1, 2, 3], [4, 5]]


async def test_a_batch_failing_for_one_items_sake_goes_again_item_by_item() -> None:
    ledger = Ledger(refused=frozenset({2}))
    group = GroupCommit(ledger.write)
    results = await asyncio.gather(*(group(n) for n in (1, 2, 3)), return_exceptions=True)
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], NotStored)  # its failure, and no other's
    assert ledger.batches == [[1, 2, 3], [1], [2], [3]]
    assert ledger.committed == [1, 3]


async def test_an_item_outrun_alone_is_written_once_more_and_no_more() -> None:
    ledger = Ledger(outrun=frozenset({1}))
    group = GroupCommit(ledger.write)
    assert await group(1) == 2  # against what the other transaction committed
    assert ledger.batches == [[1], [1]]

    always = Ledger()
    always.outrun = {1}

    async def outrun_every_time(items: Sequence[int]) -> list[int]:
        always.outrun.add(1)
        return await always.write(items)

    with pytest.raises(Conflict):
        await GroupCommit(outrun_every_time)(1)
    assert always.batches == [[1], [1]]


async def test_a_database_that_cannot_be_reached_fails_the_whole_batch_at_once() -> None:
    ledger = Ledger()
    ledger.down = True
    group = GroupCommit(ledger.write)
    results = await asyncio.gather(*(group(n) for n in range(3)), return_exceptions=True)
    assert [type(r) for r in results] == [Unavailable] * 3
    assert ledger.batches == [[0, 1, 2]]  # no item-by-item retry against a database that is down


async def test_a_caller_that_gives_up_before_its_batch_begins_is_left_out() -> None:
    ledger = Ledger()
    group = GroupCommit(ledger.write)
    kept, gone = group(1), group(2)  # both wait for the writer, which has not begun
    gone.cancel()
    assert await kept == 2
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert ledger.batches == [[1]]
