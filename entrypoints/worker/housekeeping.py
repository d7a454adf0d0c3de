"""The worker's housekeeping: now and then, forget what is no longer needed, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping

import structlog

from application.errors import ApplicationError

log = structlog.get_logger("octobridge.worker")

EVERY_SECONDS = 3600.0


class Housekeeping:
    """Runs each of `chores` (what it forgets → how) at start and every `every` seconds; a failure is
    logged and tried next time, and does not keep the other chores from running."""

    def __init__(
        self, chores: Mapping[str, Callable[[], Awaitable[int]]], *, every: float = EVERY_SECONDS
    ) -> None:
        self._chores = chores
        self._every = every

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for what, forget in self._chores.items():
                try:
                    forgotten = await forget()
                except ApplicationError as exc:
                    log.warning(f"forgetting {what} failed; trying again later", error=exc.message)
                else:
                    if forgotten:
                        log.info(f"forgot {what}", count=forgotten)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._every)
