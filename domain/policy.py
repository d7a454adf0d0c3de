"""`ExportPolicy`: what becomes of each Banqup message about a document (R9–R11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.activation import ActivationHistory
from domain.client_integration import ClientIntegration
from domain.events import DocumentEvent, triggers_export
from domain.export import Export, ExportStatus, SkipReason
from domain.extension import Extension
from domain.mailbox import Mailbox

# Reasons worth showing in a client's export history; the others are noise (ignored events, repeats).
RECORDED_SKIPS = frozenset(
    {SkipReason.EXTENSION_INACTIVE, SkipReason.CLIENT_INACTIVE, SkipReason.BEFORE_ACTIVATION}
)


class IntakeAction(StrEnum):
    QUEUE = "queue"  # a new export, queued for delivery to `mailbox`
    SKIP = "skip"  # a new export, kept as skipped for `reason`
    REQUEUE = "requeue"  # the export skipped before goes now, to `mailbox`
    LEAVE_SKIPPED = "leave-skipped"  # the export skipped before stays so, for `reason`
    IGNORE = "ignore"  # nothing recorded but the message id, for `reason`
    REPEAT = "repeat"  # the message, or its document's approval or sending, was seen before (R11)


@dataclass(frozen=True, slots=True)
class IntakeDecision:
    """What to record for one message: `mailbox` for the actions that queue, `reason` for the others."""

    action: IntakeAction
    reason: SkipReason | None = None
    mailbox: Mailbox | None = None


NOT_APPROVAL_OR_SENDING = IntakeDecision(IntakeAction.IGNORE, SkipReason.NOT_APPROVAL_OR_SENDING)
REPEAT = IntakeDecision(IntakeAction.REPEAT, SkipReason.REPEAT)


class ExportPolicy:
    """A document is exported exactly when, at the moment it was approved (purchase) or sent (sales),
    the partner's extension and the client's integration were both active (R9); never for an event
    seen before (R11); other events are ignored (R10). A document skipped before (its client was
    off) goes when approved or sent again while it may.

    The moment is the event's own `occurredAt`, judged against both activation histories, so a
    message that arrives late is judged by when the thing happened. A skip is kept (shown in the
    client's export history) only for a known extension and client integration, and only for the
    reasons in `RECORDED_SKIPS`.
    """

    def screen(self, category: str, message_type: str) -> IntakeDecision | None:
        """The decision for a message that is no document approval or sending, told by its category
        and type alone so that its data need not be read; None for the others, which `decide` judges."""
        return None if triggers_export(category, message_type) else NOT_APPROVAL_OR_SENDING

    def decide(
        self,
        event: DocumentEvent,
        *,
        seen: bool,
        earlier: Export | None,
        extension: Extension | None,
        integration: ClientIntegration | None,
    ) -> IntakeDecision:
        """`seen`: the message id was recorded before; `earlier`: the export of the same document's
        approval or sending, if there is one."""
        if seen:
            return REPEAT
        if event.direction is None:
            return NOT_APPROVAL_OR_SENDING
        if earlier is not None and earlier.status is not ExportStatus.SKIPPED:
            return REPEAT
        mailbox, reason = _judged(event.occurred_at, extension, integration)
        if earlier is not None:
            if reason is None:
                return IntakeDecision(IntakeAction.REQUEUE, mailbox=mailbox)
            return IntakeDecision(IntakeAction.LEAVE_SKIPPED, reason)
        if reason is None:
            return IntakeDecision(IntakeAction.QUEUE, mailbox=mailbox)
        if reason in RECORDED_SKIPS and extension is not None and integration is not None:
            return IntakeDecision(IntakeAction.SKIP, reason)
        return IntakeDecision(IntakeAction.IGNORE, reason)


def _judged(
    at: datetime, extension: Extension | None, integration: ClientIntegration | None
) -> tuple[Mailbox | None, SkipReason | None]:
    """R9 at the moment `at`: the mailbox in force then, or why the document may not go."""
    for history, inactive in (
        (extension.activation if extension else None, SkipReason.EXTENSION_INACTIVE),
        (integration.activation if integration else None, SkipReason.CLIENT_INACTIVE),
    ):
        if history is None or not history.was_active_at(at):
            return None, _before_activation(history, at) or inactive
    assert integration is not None
    return integration.mailbox_at(at), None


def _before_activation(history: ActivationHistory | None, at: datetime) -> SkipReason | None:
    """Historical documents (R10): the event happened before the first activation."""
    first = history.first_activated_at if history else None
    return SkipReason.BEFORE_ACTIVATION if first is not None and at < first else None
