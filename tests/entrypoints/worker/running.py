"""The worker's delivery loop as `octobridge worker` assembles it, running beside a test until what the
test waits for has happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from entrypoints.container import Container

Condition = Callable[[], Awaitable[bool]]
Until = Callable[[Condition], Awaitable[None]]


@asynccontextmanager
async def running_worker(container: Container, within: float = 30.0) -> AsyncIterator[Until]:
    """Runs the delivery loop of `container`'s workers (resources initialised) until the block ends,
    finishing the deliveries in hand; yields `until(condition)`, which waits at most `within` seconds
    for `condition` to hold and fails at once if the loop stopped on its own."""
    stop = asyncio.Event()
    loop = await container.workers.delivery_loop(concurrency=2)
    running = asyncio.create_task(loop.run(stop))

    async def until(condition: Condition) -> None:
        deadline = time.monotonic() + within
        while not await condition():
            assert not running.done(), running
            assert time.monotonic() < deadline, f"still not so after {within} s"
            await asyncio.sleep(0.1)

    try:
        yield until
    finally:
        stop.set()
        await running
