"""The worker's backfills: the running ones taken a page at a time beside delivery, until told to
stop (CONTRACTS §9)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from application.errors import ApplicationError, Unavailable
from application.services.backfills import BackfillOf
from application.views import BackfillView

log = structlog.get_logger("octobridge.worker")

Running = Callable[[], Awaitable[list[BackfillOf]]]
Step = Callable[[BackfillOf], Awaitable[BackfillView]]

IDLE_SECONDS = 2.0  # how soon a backfill asked for is started, at most
FIRST_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 300.0


class BackfillRunner:
    """Takes each running backfill one page further in turn, so that clients' backfills share the
    worker and a stop waits for one page at most; looks for new ones every `idle` seconds while none
    runs. Where a backfill stands is in the database after every page: a restarted worker, or any
    other, goes on from there (several side by side are safe: `RunBackfill`).

    A backfill that Banqup cannot list now waits, from `first_backoff` seconds doubling to
    `max_backoff`, while the others go on; any other failure is logged and tried on the next round.
    """

    def __init__(
        self,
        running: Running,
        step: Step,
        *,
        idle: float = IDLE_SECONDS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
        max_backoff: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self._running = running
        self._step = step
        self._idle = idle
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._waits: dict[str, tuple[float, float]] = {}  # backfill id → (until, last backoff)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if await self._round(stop):
                await asyncio.sleep(0)  # delivery's turn, whatever the pages awaited
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._idle)

    async def _round(self, stop: asyncio.Event) -> bool:
        """One page of each running backfill that is not waiting; whether any page was taken."""
        try:
            running = await self._running()
        except ApplicationError as exc:
            log.warning("reading the running backfills failed; trying again shortly", error=exc.message)
            return False
        except Exception:  # a bug must not stop delivery beside it: logged, tried again
            log.exception("reading the running backfills failed unexpectedly; trying again shortly")
            return False
        now = asyncio.get_running_loop().time()
        self._waits = {b.backfill_id: w for b in running if (w := self._waits.get(b.backfill_id))}
        moved = False
        for backfill in running:
            if stop.is_set():
                break
            if self._waits.get(backfill.backfill_id, (0.0, 0.0))[0] > now:
                continue
            moved = await self._page(backfill) or moved
        return moved

    async def _page(self, backfill: BackfillOf) -> bool:
        ids = {
            "backfillId": backfill.backfill_id,
            "partnerId": backfill.partner_id,
            "clientId": backfill.client_id,
        }
        try:
            view = await self._step(backfill)
        except Unavailable as exc:
            wait = self._wait_longer(backfill)
            log.warning("backfill waits: Banqup cannot be reached", error=exc.message, seconds=wait, **ids)
            return False
        except ApplicationError as exc:
            log.warning("backfill page failed; trying again next round", error=exc.message, **ids)
            return False
        except Exception:  # a bug in one backfill must not stop the others, nor delivery beside them
            wait = self._wait_longer(backfill)
            log.exception("backfill page failed unexpectedly", seconds=wait, **ids)
            return False
        self._waits.pop(backfill.backfill_id, None)
        if view.state != "running":
            log.info(
                f"backfill {view.state}",
                listed=view.listed,
                queued=view.queued,
                alreadyExported=view.already_exported,
                ignored=view.ignored,
                error=view.error,
                **ids,
            )
        return True

    def _wait_longer(self, backfill: BackfillOf) -> float:
        """The backfill waits twice as long as last time (at most `max_backoff`); how long."""
        last = self._waits.get(backfill.backfill_id, (0.0, 0.0))[1]
        wait = min(self._max_backoff, last * 2 or self._first_backoff)
        self._waits[backfill.backfill_id] = (asyncio.get_running_loop().time() + wait, wait)
        return wait
