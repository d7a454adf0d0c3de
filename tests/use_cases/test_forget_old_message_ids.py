"""Message ids are forgotten after 30 days, a chunk a transaction, and a repeat within them is still one."""

from __future__ import annotations

import pytest

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases import forget_old_message_ids
from application.use_cases.forget_old_message_ids import ForgetOldMessageIds
from application.use_cases.receive_message import ReceiveDocumentMessage
from domain.export import SkipReason
from tests.builders import a_message
from tests.conftest import FixedClock


async def test_ids_older_than_30_days_are_forgotten_in_chunks_and_newer_ones_kept(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forget_old_message_ids, "FORGOTTEN_A_TRANSACTION", 3)
    async with units() as uow:
        await uow.messages.record([f"old-{n}" for n in range(7)], clock.now())
        await uow.messages.record(["on-the-day"], clock.advance(days=1))
        await uow.messages.record(["recent"], clock.advance(days=20))
        await uow.commit()
    clock.advance(days=10)  # 31 days after the old ones, exactly 30 after "on-the-day"

    assert await ForgetOldMessageIds(units, clock)() == 7
    assert await ForgetOldMessageIds(units, clock)() == 0
    async with units() as uow:
        again = await uow.messages.record(["old-0", "on-the-day", "recent"], clock.now())
    assert again == {"old-0"}


async def test_a_repeat_within_the_30_days_is_still_recognised(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    message = a_message(clock.now(), message_id="m-1")
    await receive(message)
    clock.advance(days=29)
    assert await ForgetOldMessageIds(units, clock)() == 0
    repeat = await receive(message)
    assert (repeat.outcome, repeat.reason) == ("ignored", SkipReason.REPEAT)
