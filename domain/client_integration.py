"""The Octopus integration of one client of a partner (R5–R7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.activation import ActivationHistory
from domain.clock import utc
from domain.errors import NotAllowed
from domain.mailbox import Mailbox


@dataclass(frozen=True, slots=True)
class MailboxAssignment:
    """From `since` on, the client's documents go to `mailbox` (R6)."""

    mailbox: Mailbox
    since: datetime


@dataclass
class ClientIntegration:
    """A client (a Banqup Business space) linked to one Octopus dossier mailbox at a time.

    Both the address history and the activation history are kept, so a document is judged, and
    addressed, by the moment it was approved or sent, however late its message arrives.
    """

    partner_id: str
    client_id: str
    mailboxes: tuple[MailboxAssignment, ...] = ()
    activation: ActivationHistory = field(default_factory=ActivationHistory)
    vat_number: str | None = None
    dossier_id: int | None = None

    @property
    def active(self) -> bool:
        return self.activation.is_active

    @property
    def mailbox(self) -> Mailbox | None:
        return self.mailboxes[-1].mailbox if self.mailboxes else None

    def activate(self, mailbox: Mailbox, at: datetime) -> bool:
        """Switches the integration on with `mailbox`, or changes its address; False when nothing changed."""
        return _activate(self, mailbox, at)

    def deactivate(self, at: datetime) -> bool:
        before = self.activation
        self.activation = before.switched_off(at)
        return self.activation is not before

    def mailbox_at(self, moment: datetime) -> Mailbox | None:
        """The address in force at `moment`: the last one assigned at or before it."""
        moment = utc(moment)
        current = None
        for assignment in self.mailboxes:
            if assignment.since > moment:
                break
            current = assignment.mailbox
        return current


@dataclass(slots=True)
class NewClientIntegration:
    """A client integration not stored yet, as plain values: what a bulk import inserts for a client
    it meets for the first time, without building the entity (whose every attribute the persistence
    layer instruments). It activates by the entity's own rule."""

    partner_id: str
    client_id: str
    mailboxes: tuple[MailboxAssignment, ...] = ()
    activation: ActivationHistory = field(default_factory=ActivationHistory)
    vat_number: str | None = None

    def activate(self, mailbox: Mailbox, at: datetime) -> bool:
        """As `ClientIntegration.activate`."""
        return _activate(self, mailbox, at)


def _activate(integration: ClientIntegration | NewClientIntegration, mailbox: Mailbox, at: datetime) -> bool:
    at = utc(at, "at")
    mailboxes, activation = integration.mailboxes, integration.activation  # each read of an entity's costs
    changed = False
    if not mailboxes or mailbox != mailboxes[-1].mailbox:
        if mailboxes and at < mailboxes[-1].since:
            raise NotAllowed("an address change cannot be dated before the previous one")
        integration.mailboxes = (*mailboxes, MailboxAssignment(mailbox, at))
        changed = True
    switched_on = activation.switched_on(at)
    if switched_on is not activation:  # an active history switched on is itself
        integration.activation = switched_on
        changed = True
    return changed
