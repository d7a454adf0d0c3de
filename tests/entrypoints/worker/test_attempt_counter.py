"""A worker counts its attempts in memory and adds them to the shared totals now and then, never
per attempt; counts it cannot add now wait for the next flush."""

from __future__ import annotations

from collections.abc import Mapping

from application.attempts import AttemptReason
from application.errors import Unavailable
from application.ports.attempt_counts import AttemptKind
from application.use_cases.deliver_export import DeliveryResult
from domain.export import AttemptOutcome, ExportStatus
from entrypoints.worker.attempt_counts import AttemptCounter


class Totals:
    def __init__(self) -> None:
        self.flushes: list[dict[AttemptKind, int]] = []
        self.down = False

    async def add(self, counts: Mapping[AttemptKind, int]) -> None:
        if self.down:
            raise Unavailable("the database cannot be reached")
        self.flushes.append(dict(counts))


class Clock:
    def __init__(self) -> None:
        self.at = 0.0

    def __call__(self) -> float:
        return self.at


def attempt(outcome: AttemptOutcome, reason: AttemptReason | None) -> DeliveryResult:
    status = {AttemptOutcome.DELIVERED: ExportStatus.DELIVERED, AttemptOutcome.FAILED: ExportStatus.FAILED}
    return DeliveryResult(
        status=status.get(outcome, ExportStatus.QUEUED),
        outcome=outcome,
        reason=reason,
        detail="",
        message_id="<m@x>",
    )


async def test_attempts_are_added_by_kind_once_the_interval_has_passed() -> None:
    totals, clock = Totals(), Clock()
    counter = AttemptCounter(totals.add, every=5.0, clock=clock)
    for _ in range(3):
        counter.count(attempt(AttemptOutcome.DEFERRED, AttemptReason.RELAY))
    counter.count(attempt(AttemptOutcome.DELIVERED, None))
    clock.at = 4.9
    await counter.flush_if_due()
    assert totals.flushes == []
    clock.at = 5.0
    await counter.flush_if_due()
    assert totals.flushes == [{("deferred", "relay"): 3, ("delivered", ""): 1}]
    clock.at = 10.0
    await counter.flush_if_due()
    assert len(totals.flushes) == 1, "nothing new, nothing written"


async def test_counts_that_cannot_be_added_wait_for_the_next_flush() -> None:
    totals = Totals()
    counter = AttemptCounter(totals.add, clock=Clock())
    counter.count(attempt(AttemptOutcome.FAILED, AttemptReason.DOCUMENT))
    totals.down = True
    await counter.flush()
    counter.count(attempt(AttemptOutcome.FAILED, AttemptReason.DOCUMENT))
    totals.down = False
    await counter.flush()
    assert totals.flushes == [{("failed", "document"): 2}]
