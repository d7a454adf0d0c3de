"""A worker's export attempts, counted in memory and added to the shared totals every few seconds."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping

import structlog

from application.errors import ApplicationError
from application.ports.attempt_counts import AttemptKind
from application.use_cases.deliver_export import DeliveryResult

log = structlog.get_logger("octobridge.worker")

# Often enough that an outage shows within one scrape, seldom enough to cost nothing beside delivery.
FLUSH_EVERY = 5.0

AddCounts = Callable[[Mapping[AttemptKind, int]], Awaitable[None]]


class AttemptCounter:
    """Counts each attempt by (outcome, reason) without touching the database; `flush` adds the
    counts to the totals `/metrics` reads, in one transaction. Counts that cannot be added now are
    kept for the next flush."""

    def __init__(
        self, add: AddCounts, every: float = FLUSH_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._add = add
        self._every = every
        self._clock = clock
        self._pending: Counter[AttemptKind] = Counter()
        self._flushed_at = clock()

    def count(self, result: DeliveryResult) -> None:
        self._pending[(str(result.outcome), str(result.reason or ""))] += 1

    async def flush_if_due(self) -> None:
        if self._clock() - self._flushed_at >= self._every:
            await self.flush()

    async def flush(self) -> None:
        self._flushed_at = self._clock()
        if not self._pending:
            return
        counts, self._pending = self._pending, Counter()
        try:
            await self._add(counts)
        except ApplicationError as exc:
            self._pending.update(counts)
            log.warning("attempt counts not added; trying again at the next flush", error=exc.message)
