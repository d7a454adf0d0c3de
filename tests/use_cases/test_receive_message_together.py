"""Intake through `GroupCommit`: messages received together share one transaction, yet
each caller hears what it would have heard alone, in the order the messages came (R9–R11)."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.memory.octopus import InMemoryOctopusAccount
from adapters.memory.unit_of_work import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory, MemoryStore
from application.errors import Unavailable
from application.messages import BanqupMessage
from application.ports.repositories import ExportQuery
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.receive_message import MessageOutcome, ReceiveDocumentMessage
from tests.builders import MAILBOX, a_message
from tests.conftest import FixedClock
from tests.use_cases.conftest import connect


async def _world(clock: FixedClock) -> InMemoryUnitOfWorkFactory:
    """Partner p1 connected, client c1 active since the clock's time; c9 is nobody's client."""
    units = InMemoryUnitOfWorkFactory()
    await connect(units, clock, InMemoryOctopusAccount(clock), "p1")
    await ActivateClientIntegration(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX)
    )
    return units


Seen = tuple[list[tuple[str, str | None, str | None]], list[tuple[str, str, str, str | None]], set[str], int]


async def _seen(units: InMemoryUnitOfWorkFactory, outcomes: list[MessageOutcome]) -> Seen:
    """Outcomes with export ids told as the export's document, and what the store holds."""
    store = units.store
    documents = {e.id: f"{e.document_id}/{e.direction}" for e in store.exports.values()}
    told = [(o.outcome, o.reason, documents.get(o.export_id or "")) for o in outcomes]
    async with units() as uow:
        exports = await uow.exports.list(ExportQuery(limit=1000))
    kept = sorted((e.document_id, e.direction, e.status, e.skip_reason) for e in exports)
    return told, kept, set(store.messages), len(store.outbox)


messages = st.lists(
    st.builds(
        lambda message_id, document, client, kind, minutes: (message_id, document, client, kind, minutes),
        st.sampled_from(["m1", "m2", "m3", "m4", None]),  # None: an id of its own
        st.sampled_from(["d1", "d2"]),
        st.sampled_from(["c1", "c9"]),
        st.sampled_from(
            [("approved", "PURCHASES"), ("sent", "SALES"), ("sent", "PURCHASES"), ("paid", "SALES")]
        ),
        st.sampled_from([-60 * 24, 1, 2]),  # before the activation (a recorded skip), or after
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(messages)
def test_a_batch_answers_each_caller_as_one_transaction_per_message_would(
    drawn: list[tuple[str | None, str, str, tuple[str, str], int]],
) -> None:
    clock = FixedClock()
    base = asyncio.run(_world(clock))
    batch: list[BanqupMessage] = [
        a_message(
            clock.now() + timedelta(minutes=minutes),
            message_id=message_id or f"own-{n}",
            document=document,
            client=client,
            type=kind,
            folder=folder,
        )
        for n, (message_id, document, client, (kind, folder), minutes) in enumerate(drawn)
    ]

    async def one_by_one() -> Seen:
        units = InMemoryUnitOfWorkFactory(copy.deepcopy(base.store))
        receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
        return await _seen(units, [await receive(m) for m in batch])

    async def together() -> Seen:
        units = InMemoryUnitOfWorkFactory(copy.deepcopy(base.store))
        receive, commits = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock), units.store.commits
        outcomes = await asyncio.gather(*(receive(m) for m in batch))
        assert units.store.commits - commits <= 1  # they all went in one transaction
        return await _seen(units, list(outcomes))

    assert asyncio.run(together()) == asyncio.run(one_by_one())


async def test_repeats_inside_a_batch_are_answered_repeat(clock: FixedClock) -> None:
    units = await _world(clock)
    receive, commits = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock), units.store.commits
    at = clock.advance(minutes=1)
    first = a_message(at, message_id="m1", document="d1")
    outcomes = await asyncio.gather(
        receive(first),
        receive(first),  # the same message twice
        receive(a_message(at, message_id="m2", document="d1")),  # the same document, another id
        receive(a_message(at, message_id="m3", document="d2")),
    )
    assert [(o.message_id, o.outcome, o.reason) for o in outcomes] == [
        ("m1", "exported", None),
        ("m1", "ignored", "repeat"),
        ("m2", "ignored", "repeat"),
        ("m3", "exported", None),
    ]
    # m2's id is recorded too (ids are recorded before the documents are looked at): harmless, a repeat
    assert set(units.store.messages) == {"m1", "m2", "m3"} and len(units.store.outbox) == 2
    assert units.store.commits == commits + 1


class _RacedUnitOfWork(InMemoryUnitOfWork):
    """Its commit lets another transaction record message `m2` first."""

    def __init__(self, store: MemoryStore, rival: InMemoryUnitOfWorkFactory, clock: FixedClock) -> None:
        super().__init__(store)
        self._rival = rival
        self._clock = clock

    async def commit(self) -> None:
        async with self._rival() as other:
            await other.messages.record(["m2"], self._clock.now())
            await other.commit()
        await super().commit()


class _RacedUnits(InMemoryUnitOfWorkFactory):
    """The first unit of work made is raced; the others are not."""

    raced = False

    def __call__(self) -> InMemoryUnitOfWork:
        if self.raced:
            return super().__call__()
        self.raced = True
        return _RacedUnitOfWork(self.store, InMemoryUnitOfWorkFactory(self.store), FixedClock())


async def test_a_batch_that_loses_a_race_goes_again_one_message_at_a_time(clock: FixedClock) -> None:
    world = await _world(clock)
    units = _RacedUnits(world.store)
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    at = clock.advance(minutes=1)
    outcomes = await asyncio.gather(
        *(receive(a_message(at, message_id=f"m{n}", document=f"d{n}")) for n in (1, 2, 3))
    )
    assert [(o.message_id, o.outcome, o.reason) for o in outcomes] == [
        ("m1", "exported", None),
        ("m2", "ignored", "repeat"),  # the other transaction recorded it first (R11)
        ("m3", "exported", None),
    ]
    assert sorted(e.document_id for e in units.store.exports.values()) == ["d1", "d3"]
    assert len(units.store.outbox) == 2


class _DownUnitOfWork(InMemoryUnitOfWork):
    async def commit(self) -> None:
        raise Unavailable("the database cannot be reached")


class _DownUnits(InMemoryUnitOfWorkFactory):
    made = 0

    def __call__(self) -> InMemoryUnitOfWork:
        self.made += 1
        return _DownUnitOfWork(self.store)


async def test_a_database_that_is_down_fails_the_whole_batch_at_once(clock: FixedClock) -> None:
    world = await _world(clock)
    units = _DownUnits(world.store)
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    at = clock.advance(minutes=1)
    results = await asyncio.gather(
        *(receive(a_message(at, document=f"d{n}")) for n in range(3)), return_exceptions=True
    )
    assert [type(r) for r in results] == [Unavailable] * 3
    assert units.made == 1  # no message-by-message retry against a database that is down


async def test_a_caller_that_gives_up_before_its_batch_is_left_out(clock: FixedClock) -> None:
    units = await _world(clock)
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    at = clock.advance(minutes=1)
    kept = asyncio.create_task(receive(a_message(at, message_id="m1", document="d1")))
    gone = asyncio.create_task(receive(a_message(at, message_id="m2", document="d2")))
    await asyncio.sleep(0)  # both are waiting for the writer, which has not begun
    gone.cancel()
    assert (await kept).outcome == "exported"
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert set(units.store.messages) == {"m1"}
