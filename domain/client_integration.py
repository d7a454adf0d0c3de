"""The Octopus integration of one client of a partner (R5–R7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.activation import ActivationHistory
from domain.clock import utc
from domain.errors import NotAllowed
from domain.mailbox import Mailbox


@dataclass(frozen=True, slots=True)
class MailboxAssignment:
    """From `since` on, the client's documents go to `mailbox` (R6)."""

    mailbox: Mailbox
    since: datetime


class MailboxStatus(StrEnum):
    OK = "ok"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class MailboxRefusal:
    """Octopus refused `mailbox` for good at `at` (CONTRACTS §8): `reply` is the server's words, at
    `RCPT TO` or in a later bounce, for the export `export_id`."""

    mailbox: Mailbox
    at: datetime
    reply: str
    export_id: str


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
    mailbox_refusal: MailboxRefusal | None = None

    @property
    def active(self) -> bool:
        return self.activation.is_active

    @property
    def mailbox_status(self) -> MailboxStatus:
        return MailboxStatus.OK if self.mailbox_refusal is None else MailboxStatus.REFUSED

    @property
    def holds_new_exports(self) -> bool:
        """While its mailbox is refused, the client's new exports wait, queued and not attempted (§8)."""
        return self.mailbox_refusal is not None

    def refuse_mailbox(self, mailbox: Mailbox, at: datetime, reply: str, export_id: str) -> bool:
        """Octopus refused `mailbox` for good. Only a refusal of the address in force counts (a late
        bounce for an address changed since tells nothing about the new one), and the first refusal
        is kept while it lasts; True when the mailbox became refused."""
        if self.mailbox_refusal is not None or mailbox != self.mailbox:
            return False
        self.mailbox_refusal = MailboxRefusal(mailbox, utc(at, "at"), reply, export_id)
        return True

    def confirm_mailbox(self) -> bool:
        """A person says the address in force works again; True when it was refused."""
        refused = self.mailbox_refusal is not None
        self.mailbox_refusal = None
        return refused

    @property
    def mailbox(self) -> Mailbox | None:
        return self.mailboxes[-1].mailbox if self.mailboxes else None

    def activate(self, mailbox: Mailbox, at: datetime) -> bool:
        """Switches the integration on with `mailbox`, or changes its address; False when nothing
        changed. A new address ends a refusal of the old one; the same address does not (a person
        confirms it with `confirm_mailbox`)."""
        changed = _activate(self, mailbox, at)
        if self.mailbox_refusal is not None and self.mailbox_refusal.mailbox != mailbox:
            self.mailbox_refusal = None
        return changed

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
