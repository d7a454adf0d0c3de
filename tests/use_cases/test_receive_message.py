"""Receiving Banqup messages: the decision and what is recorded (R9–R11)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory
from application.errors import Invalid, NotStored
from application.messages import MAX_MESSAGE_BYTES, decode_message
from application.ports.repositories import ExportQuery, ExportRepository
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.activate_client_integration import ActivateClient, ActivateClientIntegration
from application.use_cases.deactivate_client_integration import DeactivateClient, DeactivateClientIntegration
from application.use_cases.receive_message import MessageOutcome, ReceiveDocumentMessage
from domain.export import Export, ExportStatus
from domain.policy import ExportPolicy
from tests.builders import MAILBOX, a_message, an_export
from tests.conftest import FixedClock
from tests.use_cases.test_receive_message_together import _world

pytestmark = pytest.mark.usefixtures("active_client")


async def exports(units: InMemoryUnitOfWorkFactory) -> list[tuple[str, str, str | None]]:
    async with units() as uow:
        found = await uow.exports.list(ExportQuery(limit=100))
    return [(e.document_id, e.status, e.skip_reason) for e in found]


async def test_an_approved_purchase_is_queued_with_its_outbox_row(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    outcome = await ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)(
        a_message(clock.advance(minutes=1))
    )
    assert (outcome.outcome, outcome.reason) == ("exported", None)
    async with units() as uow:
        export = await uow.exports.get(outcome.export_id or "")
        assert export is not None and await uow.outbox.depth() == 1
    assert (export.status, str(export.mailbox), export.direction, export.kind) == (
        "queued",
        MAILBOX,
        "purchase",
        "invoice",
    )


async def test_a_repeat_changes_nothing_whether_same_message_or_same_document(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    message = a_message(clock.advance(minutes=1))
    await receive(message)
    commits = units.store.commits
    assert (await receive(message)).reason == "repeat"
    assert units.store.commits == commits  # the same message: nothing written
    outbox = dict(units.store.outbox)
    assert (await receive(a_message(clock.now(), message_id="another-id"))).reason == "repeat"
    assert len(await exports(units)) == 1 and units.store.outbox == outbox  # only its id was recorded
    assert (await receive(a_message(clock.now(), message_id="another-id", document="d2"))).reason == "repeat"


async def test_other_events_are_acknowledged_and_ignored_without_a_write(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    commits = units.store.commits
    for message in (
        a_message(clock.now(), type="paid"),
        a_message(clock.now(), category="invoice", type="approved"),
        a_message(clock.now(), type="created"),
    ):
        assert (await receive(message)).outcome == "ignored"
    assert units.store.commits == commits
    wrong_folder = await receive(a_message(clock.now(), type="sent", folder="PURCHASES"))
    assert (wrong_folder.outcome, wrong_folder.reason) == ("ignored", "not-approval-or-sending")
    assert await exports(units) == []


async def test_skips_are_kept_for_integrated_clients_only(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    historical = await receive(a_message(clock.now() - timedelta(days=2), document="old"))
    assert (historical.outcome, historical.reason) == ("skipped", "before-activation")
    stranger = await receive(a_message(clock.now(), client="not-integrated", document="d"))
    assert (stranger.outcome, stranger.reason, stranger.export_id) == ("ignored", "client-inactive", None)
    clock.advance(hours=1)
    await DeactivateClientIntegration(units, clock)(DeactivateClient("p1", "c1"))
    inactive = await receive(a_message(clock.advance(minutes=1), document="after"))
    assert (inactive.outcome, inactive.reason) == ("skipped", "client-inactive")
    assert sorted(await exports(units)) == [
        ("after", ExportStatus.SKIPPED, "client-inactive"),
        ("old", ExportStatus.SKIPPED, "before-activation"),
    ]
    async with units() as uow:
        assert await uow.outbox.depth() == 0


async def test_a_document_message_missing_data_names_the_field(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    body = b'{"id": "m1", "category": "document", "type": "approved", "data": {"documentId": "d1"}}'
    with pytest.raises(Invalid) as caught:
        await ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)(decode_message(body))
    assert caught.value.field == "data.spaceId"
    naive = (
        b'{"id":"m2","category":"document","type":"sent","data":{"documentId":"d","spaceId":"s","partnerId":"p",'
        b'"folder":"SALES","documentCategory":"INVOICE","occurredAt":"2026-11-20T10:15:00"}}'
    )
    with pytest.raises(Invalid) as caught:
        await ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)(decode_message(naive))
    assert caught.value.field == "data.occurredAt"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "not JSON"),
        (b"[]", "Expected `object`"),
        (b'{"category": "document", "type": "approved"}', "missing required field `id`"),
        (b'{"id": 5, "category": "document", "type": "approved"}', "$.id"),
        (b'{"id": "", "category": "document", "type": "approved"}', "id must not be empty"),
        (
            b'{"id": "m", "category": "document", "type": "approved", "data": {"occurredAt": "yesterday"}}',
            "occurredAt",
        ),
        (b" " * (MAX_MESSAGE_BYTES + 1), "larger than"),
    ],
)
def test_malformed_messages_say_what_is_wrong(body: bytes, says: str) -> None:
    with pytest.raises(Invalid, match=None) as caught:
        decode_message(body)
    assert says in caught.value.message


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        ["id", "category", "type", "data", "documentId", "occurredAt", "spaceId"]
                    ),
                    inner,
                    max_size=5,
                )
            ),
            max_leaves=12,
        ).map(msgspec.json.encode),
    )
)
def test_nothing_but_invalid_escapes_decoding(body: bytes) -> None:
    try:
        message = decode_message(body)
        if ExportPolicy().screen(message.category, message.type) is None:
            message.event()
    except Invalid:
        pass


async def test_a_document_skipped_while_its_client_was_off_goes_when_approved_again(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
    clock.advance(hours=1)
    await DeactivateClientIntegration(units, clock)(DeactivateClient("p1", "c1"))
    first = await receive(a_message(clock.advance(minutes=1), document="d"))
    assert (first.outcome, first.reason) == ("skipped", "client-inactive")
    await ActivateClientIntegration(units, clock)(
        ActivateClient(partner_id="p1", client_id="c1", mailbox=MAILBOX)
    )
    again = await receive(a_message(clock.advance(minutes=1), document="d"))
    assert (again.outcome, again.export_id) == ("exported", first.export_id)
    async with units() as uow:
        export = await uow.exports.get(first.export_id or "")
        assert export is not None and await uow.outbox.depth() == 1
    assert (export.status, export.skip_reason, export.occurred_at) == ("queued", None, clock.now())
    third = await receive(a_message(clock.advance(minutes=1), document="d"))
    assert (third.outcome, third.reason) == ("ignored", "repeat")


LOST = "doc-lost"


class _LosingExports:
    """Keeps no export of the documents `lost`, as the trigger of tests/adapters/persistence/lost_exports.py:
    their outbox rows then name no export, and the fake refuses them as the database's foreign key
    does."""

    def __init__(self, exports: ExportRepository, lost: frozenset[str]) -> None:
        self._exports = exports
        self._lost = lost

    async def add_many(self, exports: Sequence[Export]) -> None:
        await self._exports.add_many([e for e in exports if e.document_id not in self._lost])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._exports, name)


class _LosingUnitOfWork(InMemoryUnitOfWork):
    def __init__(self, store: MemoryStore, lost: frozenset[str]) -> None:
        super().__init__(store)
        self._lost = lost

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.exports = _LosingExports(self.exports, self._lost)  # type: ignore[assignment]
        return self


class _LosingUnits(InMemoryUnitOfWorkFactory):
    """Units of work that lose the exports of `lost`, until the cause is removed (`lost` emptied)."""

    def __init__(self, store: MemoryStore, lost: frozenset[str] = frozenset({LOST})) -> None:
        super().__init__(store)
        self.lost = lost

    def __call__(self) -> InMemoryUnitOfWork:
        return _LosingUnitOfWork(self.store, self.lost) if self.lost else super().__call__()


async def test_a_message_the_database_refuses_fails_alone_and_goes_through_once_the_cause_is_removed(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    losing = _LosingUnits(units.store)
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(losing), clock)
    at = clock.advance(minutes=1)
    batch = [a_message(at, message_id=f"m-{d}", document=d) for d in ("d1", LOST, "d2")]
    results = await asyncio.gather(*(receive(m) for m in batch), return_exceptions=True)
    assert [r.outcome if isinstance(r, MessageOutcome) else type(r) for r in results] == [
        "exported",
        NotStored,  # not a repeat: nothing of it was stored
        "exported",
    ]
    assert sorted(units.store.messages) == ["m-d1", "m-d2"] and len(units.store.outbox) == 2
    losing.lost = frozenset()
    assert (await receive(batch[1])).outcome == "exported"
    assert (await receive(batch[1])).reason == "repeat"
    assert sorted(e.document_id for e in units.store.exports.values()) == ["d1", "d2", LOST]


DOCUMENTS = ["d1", "d2", "d3"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["m1", "m2", None]), st.sampled_from(DOCUMENTS)), min_size=1, max_size=8
    ),
    st.frozensets(st.sampled_from(DOCUMENTS)),
)
def test_messages_the_database_refuses_cost_the_others_of_their_batch_nothing(
    drawn: list[tuple[str | None, str]], lost: frozenset[str]
) -> None:
    """Whichever messages of a batch the database refuses, each caller hears what it would have heard
    alone, and the store holds what it would have held."""
    clock = FixedClock()
    base = asyncio.run(_world(clock))
    at = clock.advance(minutes=1)
    batch = [a_message(at, message_id=m or f"own-{n}", document=d) for n, (m, d) in enumerate(drawn)]

    def told(result: MessageOutcome | BaseException) -> object:
        return (result.outcome, result.reason) if isinstance(result, MessageOutcome) else type(result)

    async def seen(units: InMemoryUnitOfWorkFactory, results: list[Any]) -> object:
        exports = sorted((e.document_id, e.status) for e in units.store.exports.values())
        return [told(r) for r in results], exports, set(units.store.messages), len(units.store.outbox)

    async def one_by_one() -> object:
        units = _LosingUnits(copy.deepcopy(base.store), lost)
        receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
        results: list[Any] = []
        for message in batch:
            try:
                results.append(await receive(message))
            except NotStored as exc:
                results.append(exc)
        return await seen(units, results)

    async def together() -> object:
        units = _LosingUnits(copy.deepcopy(base.store), lost)
        receive = ReceiveDocumentMessage(UnitOfWorkRunner(units), clock)
        return await seen(units, await asyncio.gather(*(receive(m) for m in batch), return_exceptions=True))

    assert asyncio.run(together()) == asyncio.run(one_by_one())


class _OutrunUnitOfWork(InMemoryUnitOfWork):
    """Its commit lets another transaction first record document d1 as skipped (its own message
    came from before the client was active)."""

    async def commit(self) -> None:
        async with InMemoryUnitOfWork(self._store) as other:
            await other.exports.add(
                an_export(datetime(2020, 1, 1, tzinfo=UTC), document="d1", status=ExportStatus.SKIPPED)
            )
            await other.commit()
        await super().commit()


class _OutrunOnce(InMemoryUnitOfWorkFactory):
    outrun = False

    def __call__(self) -> InMemoryUnitOfWork:
        if self.outrun:
            return super().__call__()
        self.outrun = True
        return _OutrunUnitOfWork(self.store)


async def test_a_message_outrun_by_another_transaction_is_judged_again_not_taken_for_a_repeat(
    units: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    receive = ReceiveDocumentMessage(UnitOfWorkRunner(_OutrunOnce(units.store)), clock)
    outcome = await receive(a_message(clock.advance(minutes=1), message_id="m1", document="d1"))
    assert outcome.outcome == "exported"  # the other one's skip does not stand for this approval
    async with units() as uow:
        export = await uow.exports.get(outcome.export_id or "")
        assert export is not None and export.status is ExportStatus.QUEUED
        assert list(units.store.outbox) == [export.id] and list(units.store.messages) == ["m1"]
