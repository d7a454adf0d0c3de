"""Receiving a Banqup message: the one way a document enters octobridge (R9–R11)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from application.errors import Conflict, Unavailable
from application.messages import BanqupMessage
from application.ports.clock import Clock
from application.ports.repositories import ExportKey
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.views import Struct
from domain.client_integration import ClientIntegration
from domain.events import DocumentEvent, DocumentKind
from domain.export import Export, ExportStatus, SkipReason
from domain.extension import Extension
from domain.policy import ExportPolicy

# Reasons worth showing in a client's export history; the others are noise (ignored events, repeats).
RECORDED_SKIPS = frozenset(
    {SkipReason.EXTENSION_INACTIVE, SkipReason.CLIENT_INACTIVE, SkipReason.BEFORE_ACTIVATION}
)


class MessageOutcome(Struct):
    """`exported` (queued for delivery), `skipped` with the reason, or `ignored` with the reason."""

    message_id: str
    outcome: str
    reason: str | None = None
    export_id: str | None = None


class ReceiveDocumentMessage:
    """Decides with `ExportPolicy` and records the message id and the export (queued with an outbox
    row, or skipped with its reason). A repeat changes nothing (R11), even when two processes
    receive the same message at once.

    Group commit: messages that arrive while a transaction is being written wait, and go together
    into the next one (up to `batch_limit`), each judged as if it had come alone after the ones
    before it. Nobody waits for company: a message that finds no transaction in progress starts one
    at once. Each caller is answered only once the transaction holding its message has committed.
    One instance per process, so that all its callers share the batches.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        policy: ExportPolicy | None = None,
        *,
        batch_limit: int = 100,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy or ExportPolicy()
        self._batch_limit = batch_limit
        self._waiting: list[tuple[DocumentEvent, asyncio.Future[MessageOutcome]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, message: BanqupMessage) -> MessageOutcome:
        if not message.may_export:
            return MessageOutcome(
                message_id=message.id, outcome="ignored", reason=SkipReason.NOT_APPROVAL_OR_SENDING
            )
        answer: asyncio.Future[MessageOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((message.event(), answer))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await answer

    async def _write(self) -> None:
        """Writes batches until nobody waits. A caller that gave up before its batch began is left out."""
        batch: list[tuple[DocumentEvent, asyncio.Future[MessageOutcome]]] = []
        try:
            while self._waiting:
                batch = [item for item in self._waiting[: self._batch_limit] if not item[1].done()]
                del self._waiting[: self._batch_limit]
                results = await self._record_batch([event for event, _ in batch])
                for (_, answer), result in zip(batch, results, strict=True):
                    if answer.done():
                        continue
                    if isinstance(result, Exception):
                        answer.set_exception(result)
                    else:
                        answer.set_result(result)
        finally:
            self._writer = None
            for _, answer in batch + self._waiting:  # only when cancelled: the loop is closing
                answer.cancel()
            self._waiting.clear()

    async def _record_batch(
        self, events: Sequence[DocumentEvent], *, judged_before: bool = False
    ) -> list[MessageOutcome | Exception]:
        """One transaction for the batch. When it fails for one message's sake (a `Conflict`: another
        transaction recorded one of them first; or `NotStored`: the database refused one of them),
        each goes again in a transaction of its own, so that R11 holds exactly and one message's
        failure is no other's. Alone, a `Conflict` is judged once more, against what the other
        transaction committed: a repeat then, or not (its export skipped where this one goes).
        Whatever else fails is that message's failure, with nothing of it recorded, so that it is
        never acknowledged. A database that cannot be reached fails them all at once."""
        try:
            return list(await self._record(events))
        except Unavailable as exc:
            return [exc] * len(events)
        except Exception as exc:
            if len(events) > 1:
                return [(await self._record_batch([event]))[0] for event in events]
            if isinstance(exc, Conflict) and not judged_before:
                return await self._record_batch(events, judged_before=True)
            return [exc]

    async def _record(self, events: Sequence[DocumentEvent]) -> list[MessageOutcome]:
        now = self._clock.now()

        async def transaction(uow: UnitOfWork) -> list[MessageOutcome]:
            batch = await _Batch.read(uow, events, now)
            outcomes = [self._decide(event, batch, now) for event in events]
            if batch.recorded:  # else every one was a repeat: nothing was written
                await uow.exports.add_many(batch.added)
                await uow.outbox.put_many(list(batch.queued), now)
                await uow.commit()
            return outcomes

        return await self._uow.run(transaction)

    def _decide(self, event: DocumentEvent, batch: _Batch, now: datetime) -> MessageOutcome:
        """One message, judged against the database as read and the messages before it in the batch."""
        if event.message_id in batch.known:
            return _repeat(event.message_id)
        batch.known.add(event.message_id)
        direction = event.direction
        key = _key(event)
        earlier = batch.exports.get(key) if key is not None else None
        # A document skipped before (its client was off) can still go when approved or sent again.
        repeat = earlier is not None and earlier.status is not ExportStatus.SKIPPED
        extension = batch.extensions.get(event.partner_id)
        integration = batch.integrations.get((event.partner_id, event.client_id))
        decision = self._policy.decide(event, extension, integration, repeat=repeat)
        if decision.reason is SkipReason.REPEAT:
            return _repeat(event.message_id)
        keep = decision.export or (decision.reason in RECORDED_SKIPS and extension and integration)
        if earlier is not None:
            if decision.export and decision.mailbox is not None:
                earlier.queued_after_skip(event.occurred_at, decision.mailbox)
                batch.queued[earlier.id] = None
            return MessageOutcome(
                message_id=event.message_id,
                outcome="exported" if decision.export else "skipped",
                reason=decision.reason,
                export_id=earlier.id,
            )
        if keep:
            assert key is not None and direction is not None
            export = Export(
                id=str(uuid.uuid4()),
                partner_id=event.partner_id,
                client_id=event.client_id,
                document_id=event.document_id,
                direction=direction,
                kind=event.kind or DocumentKind.INVOICE,
                occurred_at=event.occurred_at,
                created_at=now,
                status=ExportStatus.QUEUED if decision.export else ExportStatus.SKIPPED,
                mailbox=decision.mailbox,
                skip_reason=decision.reason,
            )
            batch.exports[key] = export
            batch.added.append(export)
            if decision.export:
                batch.queued[export.id] = None
            return MessageOutcome(
                message_id=event.message_id,
                outcome="exported" if decision.export else "skipped",
                reason=decision.reason,
                export_id=export.id,
            )
        return MessageOutcome(message_id=event.message_id, outcome="ignored", reason=decision.reason)


@dataclass
class _Batch:
    """What one transaction knows: read once for all its messages, then grown message by message.
    Every new message id is recorded first, so that finding the repeats costs no query of its own;
    so the id of a message whose document was exported already (under another id) is recorded too,
    and that message id is a repeat from then on, whatever its document."""

    recorded: set[str]  # the message ids this transaction recorded
    known: set[str]
    exports: dict[ExportKey, Export]
    extensions: Mapping[str, Extension]
    integrations: Mapping[tuple[str, str], ClientIntegration]
    added: list[Export] = field(default_factory=list)
    queued: dict[str, None] = field(default_factory=dict)  # export ids for the outbox, in order

    @classmethod
    async def read(cls, uow: UnitOfWork, events: Sequence[DocumentEvent], now: datetime) -> _Batch:
        message_ids = {e.message_id for e in events}
        recorded = await uow.messages.record(message_ids, now)
        # Messages without a key (a sending in the purchases folder…) are ignored before any of it counts.
        found = await uow.exports.find_many_in_context({k for e in events if (k := _key(e)) is not None})
        return cls(
            recorded, message_ids - recorded, dict(found.exports), found.extensions, found.integrations
        )


def _key(event: DocumentEvent) -> ExportKey | None:
    direction = event.direction
    if direction is None:
        return None
    return (event.partner_id, event.client_id, event.document_id, str(direction))


def _repeat(message_id: str) -> MessageOutcome:
    return MessageOutcome(message_id=message_id, outcome="ignored", reason=SkipReason.REPEAT)
