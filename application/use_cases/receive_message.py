"""Receiving a Banqup message: the one way a document enters octobridge (R9–R11)."""

from __future__ import annotations

import uuid

from application.errors import Conflict
from application.messages import BanqupMessage
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import Struct
from domain.events import DocumentEvent, DocumentKind
from domain.export import Export, ExportStatus, SkipReason
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
    """Decides with `ExportPolicy` and records, in one transaction, the message id, the export
    (queued with an outbox row, or skipped with its reason). A repeat changes nothing (R11), even
    when two processes receive the same message at once."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: ExportPolicy | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy or ExportPolicy()

    async def __call__(self, message: BanqupMessage) -> MessageOutcome:
        if not message.may_export:
            return MessageOutcome(
                message_id=message.id, outcome="ignored", reason=SkipReason.NOT_APPROVAL_OR_SENDING
            )
        event = message.event()
        try:
            return await self._record(message, event)
        except Conflict:
            return MessageOutcome(message_id=message.id, outcome="ignored", reason=SkipReason.REPEAT)

    async def _record(self, message: BanqupMessage, event: DocumentEvent) -> MessageOutcome:
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.messages.add(event.message_id, now)  # a message seen before raises Conflict: a repeat
            direction = event.direction
            earlier = (
                await uow.exports.find_for(event.partner_id, event.client_id, event.document_id, direction)
                if direction is not None
                else None
            )
            # A document skipped before (its client was off) can still go when approved or sent again.
            repeat = earlier is not None and earlier.status is not ExportStatus.SKIPPED
            extension = await uow.extensions.get(event.partner_id)
            integration = await uow.integrations.get(event.partner_id, event.client_id)
            decision = self._policy.decide(event, extension, integration, repeat=repeat)
            if decision.reason is SkipReason.REPEAT:
                return MessageOutcome(message_id=message.id, outcome="ignored", reason=decision.reason)
            outcome = MessageOutcome(message_id=message.id, outcome="ignored", reason=decision.reason)
            keep = decision.export or (decision.reason in RECORDED_SKIPS and extension and integration)
            if earlier is not None:
                if decision.export and decision.mailbox is not None:
                    earlier.queued_after_skip(event.occurred_at, decision.mailbox)
                    await uow.outbox.put(earlier.id, now)
                outcome = MessageOutcome(
                    message_id=message.id,
                    outcome="exported" if decision.export else "skipped",
                    reason=decision.reason,
                    export_id=earlier.id,
                )
            elif keep:
                assert direction is not None
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
                await uow.exports.add(export)
                if decision.export:
                    await uow.outbox.put(export.id, now)
                outcome = MessageOutcome(
                    message_id=message.id,
                    outcome="exported" if decision.export else "skipped",
                    reason=decision.reason,
                    export_id=export.id,
                )
            await uow.commit()
            return outcome
