"""Figures for operators' dashboards: the open exports by status, the delivery queue, how long
delivery takes, the export attempts by outcome and reason, and what waits for a person — each read
from a source whose cost does not grow with the exports delivered over the years (decision 0011,
"Metrics")."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import Struct
from domain.attention import AttentionReason

LATENCY_WINDOW = timedelta(hours=1)
LATENCY_SAMPLE = 10_000
QUANTILES = (0.5, 0.9, 0.99)


class AttemptCount(Struct):
    outcome: str
    reason: str  # "" for delivered
    count: int


class OperationalFigures(Struct):
    exports_by_status: dict[str, int]  # queued and failed only: delivered and skipped grow unbounded
    queue_depth: int
    # seconds from queued to delivered, by quantile, over the exports delivered in the last hour
    delivery_latency: dict[str, float]
    # every worker's attempts as they last added them (every few seconds)
    attempts: list[AttemptCount]
    # the attention items (R26) of every partner by reason, every reason present (0 when none)
    attention: dict[str, int]


class ReadOperationalFigures:
    """How many exports are queued and failed, how many wait in the outbox for a worker, how long
    the last hour's deliveries took from queue to mail relay, the attempts the workers counted, and
    how many clients (partners, for a lost connection) need a person, by reason."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self) -> OperationalFigures:
        async with self._uow() as uow:
            counts = await uow.exports.count_open()
            depth = await uow.outbox.depth()
            times = await uow.exports.delivery_times(self._clock.now() - LATENCY_WINDOW, LATENCY_SAMPLE)
            attempts = await uow.attempt_counts.totals()
            waiting = Counter(item.reason for item in await uow.attention.list())
        return OperationalFigures(
            exports_by_status={str(status): count for status, count in counts.items()},
            queue_depth=depth,
            delivery_latency=_quantiles(
                [(delivered - queued).total_seconds() for queued, delivered in times]
            ),
            attempts=[AttemptCount(outcome=o, reason=r, count=n) for (o, r), n in sorted(attempts.items())],
            attention={str(reason): waiting[reason] for reason in AttentionReason},
        )


def _quantiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    if len(seconds) == 1:
        return {str(q): seconds[0] for q in QUANTILES}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {str(q): cuts[round(q * 100) - 1] for q in QUANTILES}
