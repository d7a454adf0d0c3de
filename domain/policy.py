"""`ExportPolicy`: which document events become exports (R9–R11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.activation import ActivationHistory
from domain.client_integration import ClientIntegration
from domain.events import DocumentEvent
from domain.export import SkipReason
from domain.extension import Extension
from domain.mailbox import Mailbox


@dataclass(frozen=True, slots=True)
class ExportDecision:
    """Export to `mailbox`, or not, for `reason`."""

    mailbox: Mailbox | None = None
    reason: SkipReason | None = None

    @property
    def export(self) -> bool:
        return self.reason is None


class ExportPolicy:
    """A document is exported exactly when, at the moment it was approved (purchase) or sent (sales),
    the partner's extension and the client's integration were both active (R9); never for an event
    seen before (R11); other events are ignored (R10).

    The moment is the event's own `occurredAt`, judged against both activation histories, so a
    message that arrives late is judged by when the thing happened.
    """

    def decide(
        self,
        event: DocumentEvent,
        extension: Extension | None,
        integration: ClientIntegration | None,
        *,
        repeat: bool,
    ) -> ExportDecision:
        if repeat:
            return ExportDecision(reason=SkipReason.REPEAT)
        if event.direction is None:
            return ExportDecision(reason=SkipReason.NOT_APPROVAL_OR_SENDING)
        at = event.occurred_at
        for history, inactive in (
            (extension.activation if extension else None, SkipReason.EXTENSION_INACTIVE),
            (integration.activation if integration else None, SkipReason.CLIENT_INACTIVE),
        ):
            if history is None or not history.was_active_at(at):
                return ExportDecision(reason=_before_activation(history, at) or inactive)
        assert integration is not None
        return ExportDecision(mailbox=integration.mailbox_at(at))


def _before_activation(history: ActivationHistory | None, at: datetime) -> SkipReason | None:
    """Historical documents (R10): the event happened before the first activation."""
    first = history.first_activated_at if history else None
    return SkipReason.BEFORE_ACTIVATION if first is not None and at < first else None
