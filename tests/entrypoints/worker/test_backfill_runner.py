"""The worker's backfill loop: clients' backfills in turn, a page each, Banqup's absence waited out
with a growing wait while the others go on, a stop heeded between pages."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date

from application.errors import Conflict, Unavailable
from application.services.backfills import BackfillOf
from application.views import BackfillView
from entrypoints.worker.backfills import BackfillRunner

A, B = (BackfillOf(partner_id="p1", client_id=c, backfill_id=f"b-{c}") for c in ("c1", "c2"))


class Backfills:
    """Backfills with so many pages left; `troubles` raised by a backfill's first steps, in order."""

    def __init__(self, pages: dict[str, int], troubles: dict[str, list[Exception]]) -> None:
        self.pages = pages  # by client
        self.troubles = troubles
        self.steps: list[tuple[str, float]] = []
        self.stop = asyncio.Event()

    async def running(self) -> list[BackfillOf]:
        left = [b for b in (A, B) if self.pages.get(b.client_id)]
        if not left:
            self.stop.set()
        return left

    async def step(self, backfill: BackfillOf) -> BackfillView:
        self.steps.append((backfill.client_id, asyncio.get_running_loop().time()))
        if self.troubles.get(backfill.client_id):
            raise self.troubles[backfill.client_id].pop(0)
        self.pages[backfill.client_id] -= 1
        state = "running" if self.pages[backfill.client_id] else "done"
        return BackfillView(
            id=backfill.backfill_id,
            client_id=backfill.client_id,
            from_=date(2026, 9, 1),
            to=date(2026, 9, 30),
            state=state,
            listed=0,
            queued=0,
            already_exported=0,
            ignored=0,
            error=None,
        )


async def test_backfills_take_turns_and_one_banqup_cannot_list_waits_longer_each_time() -> None:
    world = Backfills(
        {"c1": 2, "c2": 3},
        {"c1": [Unavailable("Banqup is away"), Unavailable("still away")], "c2": [Conflict("lost a race")]},
    )
    runner = BackfillRunner(world.running, world.step, idle=0.01, first_backoff=0.1, max_backoff=1)
    await asyncio.wait_for(runner.run(world.stop), timeout=5)
    assert world.pages == {"c1": 0, "c2": 0}
    of_b = [client for client, _ in world.steps if client == "c2"]
    assert len(of_b) == 4  # a race lost is tried again on the next round
    tries_of_a = [moment for client, moment in world.steps if client == "c1"]
    waits = [later - earlier for earlier, later in itertools.pairwise(tries_of_a)]
    assert len(tries_of_a) == 4
    assert waits[0] >= 0.1 and waits[1] >= 0.2, "the wait doubles"
    assert world.steps[-1][0] == "c1", "B went on while A waited"


async def test_a_stop_is_heeded_between_pages() -> None:
    world = Backfills({"c1": 10**6, "c2": 10**6}, {})
    runner = BackfillRunner(world.running, world.step, idle=0.01)
    asyncio.get_running_loop().call_later(0.05, world.stop.set)
    await asyncio.wait_for(runner.run(world.stop), timeout=5)
    assert 0 < len(world.steps) < 2 * 10**6


async def test_a_bug_in_one_backfill_is_logged_and_waited_out_while_the_other_goes_on() -> None:
    world = Backfills({"c1": 1, "c2": 3}, {"c1": [KeyError("a bug"), RuntimeError("another")]})
    runner = BackfillRunner(world.running, world.step, idle=0.01, first_backoff=0.05, max_backoff=1)
    await asyncio.wait_for(runner.run(world.stop), timeout=5)
    assert world.pages == {"c1": 0, "c2": 0}
    assert [client for client, _ in world.steps].count("c1") == 3
