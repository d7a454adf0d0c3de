"""The worker's housekeeping: now and then, forget what is no longer needed, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from application.errors import ApplicationError

log = structlog.get_logger("octobridge.worker")

EVERY_SECONDS = 3600.0


class Housekeeping:
    """Runs `forget` at start and every `every` seconds; a failure is logged and tried next time."""

    def __init__(self, forget: Callable[[], Awaitable[int]], *, every: float = EVERY_SECONDS) -> None:
        self._forget = forget
        self._every = every

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                forgotten = await self._forget()
            except ApplicationError as exc:
                log.warning("forgetting old message ids failed; trying again later", error=exc.message)
            else:
                if forgotten:
                    log.info("forgot old message ids", count=forgotten)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._every)
