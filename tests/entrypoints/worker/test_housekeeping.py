"""The worker's housekeeping loop: runs at start and then on its period, survives a failure, stops."""

from __future__ import annotations

import asyncio
import itertools

from application.errors import Unavailable
from entrypoints.worker.housekeeping import Housekeeping


async def test_it_runs_at_start_and_on_its_period_survives_a_failure_and_stops_when_told() -> None:
    stop = asyncio.Event()
    calls: list[float] = []

    async def forget() -> int:
        calls.append(asyncio.get_running_loop().time())
        if len(calls) == 2:
            raise Unavailable("the database is away")
        if len(calls) == 4:
            stop.set()
        return 3

    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(Housekeeping({"old things": forget}, every=0.05).run(stop), timeout=5)
    assert len(calls) == 4
    assert calls[0] - started < 0.05, "the first round runs at once"
    assert all(later - earlier >= 0.045 for earlier, later in itertools.pairwise(calls))


async def test_a_stop_during_the_wait_ends_it_at_once() -> None:
    stop = asyncio.Event()

    async def forget() -> int:
        asyncio.get_running_loop().call_later(0.05, stop.set)
        return 0

    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(Housekeeping({"old things": forget}, every=3600).run(stop), timeout=5)
    assert asyncio.get_running_loop().time() - started < 1


async def test_a_failing_chore_keeps_none_of_the_others_from_running() -> None:
    stop = asyncio.Event()
    ran: list[str] = []

    async def failing() -> int:
        ran.append("failing")
        raise Unavailable("the database is away")

    async def other() -> int:
        ran.append("other")
        stop.set()
        return 1

    await asyncio.wait_for(Housekeeping({"a": failing, "b": other}, every=3600).run(stop), timeout=5)
    assert ran == ["failing", "other"]
