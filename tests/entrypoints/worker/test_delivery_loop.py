"""The delivery loop's pace: how many exports it claims, when, and what it does on stop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from application.use_cases.deliver_export import DeliveryResult
from domain.export import AttemptOutcome, Export, ExportStatus
from entrypoints.worker.delivery import DeliveryLoop
from tests.builders import an_export


class Outbox:
    """Claims from an endless supply; each delivery waits until the test finishes it."""

    def __init__(self) -> None:
        self.claims: list[int] = []
        self.in_flight: dict[str, asyncio.Future[None]] = {}
        self.most_in_flight = 0

    async def claim(self, limit: int) -> list[Export]:
        self.claims.append(limit)
        return [an_export(datetime(2026, 11, 20, tzinfo=UTC)) for _ in range(limit)]

    async def deliver(self, export: Export) -> DeliveryResult:
        finished = self.in_flight[export.id] = asyncio.get_running_loop().create_future()
        self.most_in_flight = max(self.most_in_flight, len(self.in_flight))
        await finished
        del self.in_flight[export.id]
        return DeliveryResult(
            status=ExportStatus.DELIVERED,
            outcome=AttemptOutcome.DELIVERED,
            reason=None,
            detail="250 ok",
            message_id=f"<export-{export.id}@octobridge.example>",
        )

    async def finish(self, count: int) -> None:
        for finished in list(self.in_flight.values())[:count]:
            finished.set_result(None)
        for _ in range(5):  # the loop sees them end
            await asyncio.sleep(0)


async def test_it_claims_again_once_a_quarter_of_its_slots_is_free() -> None:
    outbox, stop = Outbox(), asyncio.Event()
    loop = DeliveryLoop(outbox.claim, outbox.deliver, concurrency=8, idle_wait=0.01)
    running = asyncio.create_task(loop.run(stop))
    await outbox.finish(0)
    assert outbox.claims == [8]
    await outbox.finish(1)
    assert outbox.claims == [8], "one slot of eight is not worth a claim"
    await outbox.finish(1)
    assert outbox.claims == [8, 2]
    await outbox.finish(3)
    assert outbox.claims == [8, 2, 3]
    stop.set()
    await outbox.finish(8)
    await asyncio.wait_for(running, timeout=5)
    assert outbox.claims == [8, 2, 3], "nothing is claimed once told to stop"
    assert not outbox.in_flight and loop.delivered == 13
    assert outbox.most_in_flight == 8
