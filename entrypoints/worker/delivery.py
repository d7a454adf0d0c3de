"""The delivery loop: claims due exports and delivers a few at a time, until told to stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from application.errors import ApplicationError
from application.use_cases.deliver_export import DeliveryResult
from domain.export import AttemptOutcome, Export, ExportStatus
from entrypoints.worker.attempt_counts import AttemptCounter

log = structlog.get_logger("octobridge.worker")

# Deliveries in flight by default. A delivery spends much of its time waiting on Banqup, the database
# and the relay, and 8 in flight delivered more per second than 4 (docs/decisions/0004).
IN_FLIGHT = 8

Claim = Callable[[int], Awaitable[list[Export]]]
Deliver = Callable[[Export], Awaitable[DeliveryResult]]

# An operator sees a relay outage as warnings, and what will never go as errors.
LEVELS = {
    AttemptOutcome.DELIVERED: logging.INFO,
    AttemptOutcome.DEFERRED: logging.WARNING,
    AttemptOutcome.FAILED: logging.ERROR,
}


class DeliveryLoop:
    """Keeps up to `concurrency` deliveries in flight; claims only as many exports as it can start,
    so a stop never strands claimed exports behind a lease. On stop, it claims nothing more and
    finishes the deliveries in hand.

    It claims again once a quarter of its slots is free: a claim is a transaction, so claiming for
    each slot as it frees costs more, and waiting for half of them left the worker idle part of the
    time (ratio to the bare loop, medians of alternated runs: 0.65 against 0.78, docs/decisions/0004)."""

    def __init__(
        self,
        claim: Claim,
        deliver: Deliver,
        *,
        concurrency: int = IN_FLIGHT,
        idle_wait: float = 1.0,
        counter: AttemptCounter | None = None,
    ) -> None:
        self._claim = claim
        self._deliver = deliver
        self._counter = counter
        self._concurrency = concurrency
        self._idle_wait = idle_wait
        self.delivered = 0

    async def run(self, stop: asyncio.Event) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                free = self._concurrency - len(in_flight)
                claimed = await self._claim_safely(free) if free * 4 >= self._concurrency else []
                for export in claimed:
                    in_flight.add(asyncio.create_task(self._deliver_one(export)))
                if claimed and len(in_flight) < self._concurrency:
                    continue  # more may be due right away
                waiting: set[asyncio.Future[Any]] = {stopping, *in_flight}
                await asyncio.wait(waiting, timeout=self._idle_wait, return_when=asyncio.FIRST_COMPLETED)
                in_flight = {task for task in in_flight if not task.done()}
                if self._counter is not None:
                    await self._counter.flush_if_due()
        finally:
            stopping.cancel()
            if in_flight:
                await asyncio.gather(*in_flight)
            if self._counter is not None:
                await self._counter.flush()

    async def _claim_safely(self, limit: int) -> list[Export]:
        try:
            return await self._claim(limit)
        except ApplicationError as exc:
            log.warning("claim failed; trying again shortly", error=exc.message)
            return []

    async def _deliver_one(self, export: Export) -> None:
        started = time.perf_counter()
        try:
            result = await self._deliver(export)
        except Exception:  # one export's surprise must not stop the others; its lease brings it back
            log.exception(
                "delivery failed unexpectedly; the export is taken again when its lease ends",
                exportId=export.id,
            )
            return
        if result.status is ExportStatus.DELIVERED:
            self.delivered += 1
        if self._counter is not None:
            self._counter.count(result)
        _log_attempt(export, result, time.perf_counter() - started)


def _log_attempt(export: Export, result: DeliveryResult, seconds: float) -> None:
    """One line per attempt, with the server's reply when delivered and the error otherwise."""
    answer = "reply" if result.outcome is AttemptOutcome.DELIVERED else "error"
    log.log(
        LEVELS.get(result.outcome, logging.INFO),
        "export attempted",
        exportId=export.id,
        partnerId=export.partner_id,
        clientId=export.client_id,
        documentId=export.document_id,
        messageId=result.message_id,
        outcome=str(result.outcome),
        reason=None if result.reason is None else str(result.reason),
        durationMs=round(seconds * 1000),
        **{answer: result.detail},
    )
