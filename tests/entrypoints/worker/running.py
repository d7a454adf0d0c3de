"""The worker's delivery loop as `octobridge worker` assembles it, running beside a test until what the
test waits for has happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from entrypoints.container import Container

Condition = Callable[[], Awaitable[bool]]


@asynccontextmanager
async def running_worker(container: Container) -> AsyncIterator[asyncio.Task[None]]:
    """Runs the delivery loop of `container`'s workers (resources initialised) until the block ends,
    then finishes the deliveries in hand; yields the running loop's task."""
    stop = asyncio.Event()
    loop = await container.workers.delivery_loop(concurrency=2)
    running = asyncio.create_task(loop.run(stop))
    try:
        yield running
    finally:
        stop.set()
        await running


async def until(condition: Condition, worker: asyncio.Task[None], within: float = 30.0) -> None:
    """Waits at most `within` seconds for `condition` to hold; fails at once if `worker` stopped on
    its own."""
    deadline = time.monotonic() + within
    while not await condition():
        assert not worker.done(), worker
        assert time.monotonic() < deadline, f"still not so after {within} s"
        await asyncio.sleep(0.1)
