"""Receiving a Banqup message: the one way a document enters octobridge (R9–R11)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from application.group_commit import GroupCommit
from application.messages import BanqupMessage
from application.ports.clock import Clock
from application.ports.repositories import ExportKey
from application.ports.transaction_runner import TransactionRunner
from application.ports.unit_of_work import UnitOfWork
from application.services.refusals import held_while_refused
from application.views import Struct
from domain.client_integration import ClientIntegration
from domain.events import DocumentEvent, DocumentKind
from domain.export import Export, ExportStatus
from domain.extension import Extension
from domain.keys import time_ordered_id
from domain.policy import ExportPolicy, IntakeAction, IntakeDecision


class MessageOutcome(Struct):
    """`exported` (queued for delivery), `skipped` with the reason, or `ignored` with the reason."""

    message_id: str
    outcome: str
    reason: str | None = None
    export_id: str | None = None


class ReceiveDocumentMessage:
    """Records the message id and what `ExportPolicy` decides of the message: a new export (queued
    with an outbox row, or skipped with its reason), a skipped one queued after all, or nothing. A
    repeat changes nothing (R11), even when two processes receive the same message at once. While
    the client's mailbox is refused, a queued export is held instead, without an outbox row (§8).

    Messages received together share a transaction (`GroupCommit`), each judged as if it had come
    alone after the ones before it. One instance per process, so that all its callers share it.
    """

    def __init__(
        self,
        transactions: TransactionRunner,
        clock: Clock,
        policy: ExportPolicy | None = None,
        *,
        batch_limit: int = 100,
    ) -> None:
        self._transactions = transactions
        self._clock = clock
        self._policy = policy or ExportPolicy()
        self._group_commit = GroupCommit(self._record, limit=batch_limit)

    async def __call__(self, message: BanqupMessage) -> MessageOutcome:
        screened = self._policy.screen(message.category, message.type)
        if screened is not None:
            return _outcome(message.id, screened)
        return await self._group_commit(message.event())

    async def _record(self, events: Sequence[DocumentEvent]) -> list[MessageOutcome]:
        """The messages of `events`, one after the other, in one transaction."""
        now = self._clock.now()

        async def transaction(uow: UnitOfWork) -> list[MessageOutcome]:
            batch = await _Batch.read(uow, events, now)
            outcomes = [self._applied(event, batch, now) for event in events]
            if batch.recorded:  # else every one was a repeat: nothing was written
                await uow.exports.add_many(batch.added)
                await uow.outbox.put_many(list(batch.queued), now)
                await uow.commit()
            return outcomes

        return await self._transactions.run(transaction)

    def _applied(self, event: DocumentEvent, batch: _Batch, now: datetime) -> MessageOutcome:
        """One message, judged against the database as read and the messages before it in the batch."""
        key = _key(event)
        earlier = batch.exports.get(key) if key is not None else None
        integration = batch.integrations.get((event.partner_id, event.client_id))
        decision = self._policy.decide(
            event,
            seen=event.message_id in batch.known,
            earlier=earlier,
            extension=batch.extensions.get(event.partner_id),
            integration=integration,
        )
        batch.known.add(event.message_id)
        match decision.action:
            case IntakeAction.REQUEUE:
                assert earlier is not None
                if decision.mailbox is not None:  # there is one whenever the client is active
                    earlier.queued_after_skip(event.occurred_at, decision.mailbox)
                    batch.queue(earlier, integration)
                return _outcome(event.message_id, decision, earlier)
            case IntakeAction.LEAVE_SKIPPED:
                return _outcome(event.message_id, decision, earlier)
            case IntakeAction.QUEUE | IntakeAction.SKIP:
                assert key is not None
                export = _new_export(event, decision, now)
                batch.exports[key] = export
                batch.added.append(export)
                if decision.action is IntakeAction.QUEUE:
                    batch.queue(export, integration)
                return _outcome(event.message_id, decision, export)
            case _:
                return _outcome(event.message_id, decision)


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

    def queue(self, export: Export, integration: ClientIntegration | None) -> None:
        """A queued export gets an outbox row, unless its client's mailbox is refused: then it is held,
        not attempted until a new or confirmed address releases it (CONTRACTS §8)."""
        if not held_while_refused(export, integration):
            self.queued[export.id] = None

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


def _new_export(event: DocumentEvent, decision: IntakeDecision, now: datetime) -> Export:
    assert event.direction is not None
    return Export(
        id=time_ordered_id(now),
        partner_id=event.partner_id,
        client_id=event.client_id,
        document_id=event.document_id,
        direction=event.direction,
        kind=event.kind or DocumentKind.INVOICE,
        occurred_at=event.occurred_at,
        created_at=now,
        status=ExportStatus.QUEUED if decision.action is IntakeAction.QUEUE else ExportStatus.SKIPPED,
        mailbox=decision.mailbox,
        skip_reason=decision.reason,
    )


_OUTCOMES = {
    IntakeAction.QUEUE: "exported",
    IntakeAction.REQUEUE: "exported",
    IntakeAction.SKIP: "skipped",
    IntakeAction.LEAVE_SKIPPED: "skipped",
    IntakeAction.IGNORE: "ignored",
    IntakeAction.REPEAT: "ignored",
}


def _outcome(message_id: str, decision: IntakeDecision, export: Export | None = None) -> MessageOutcome:
    return MessageOutcome(
        message_id=message_id,
        outcome=_OUTCOMES[decision.action],
        reason=decision.reason,
        export_id=export.id if export is not None else None,
    )
