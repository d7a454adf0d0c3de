"""One document's trip to an Octopus dossier mailbox (R15–R17)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.clock import utc
from domain.errors import NotAllowed
from domain.events import Direction, DocumentKind
from domain.mailbox import Mailbox
from domain.validation import Violation


class ExportStatus(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    FAILED = "failed"
    SKIPPED = "skipped"


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    DEFERRED = "deferred"  # a temporary failure; another attempt follows
    FAILED = "failed"
    RETRIED = "retried"  # put back in the queue by a person, or sent again to a new address
    DELAYED = "delayed"  # a report that the mail is late; it changes nothing (CONTRACTS §8)


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    outcome: AttemptOutcome
    detail: str = ""


class HoldReason(StrEnum):
    """Why a queued export waits for a person instead of being attempted."""

    MAILBOX_REFUSED = "mailboxRefused"  # CONTRACTS §8: its client's mailbox is refused


class ExportOrigin(StrEnum):
    """What made the export: a Banqup message, or a backfill a person asked for (CONTRACTS §9)."""

    EVENT = "event"
    BACKFILL = "backfill"


class SkipReason(StrEnum):
    """Why `ExportPolicy` said no."""

    NOT_APPROVAL_OR_SENDING = "not-approval-or-sending"
    EXTENSION_INACTIVE = "extension-inactive"
    CLIENT_INACTIVE = "client-inactive"
    BEFORE_ACTIVATION = "before-activation"
    REPEAT = "repeat"


@dataclass
class Export:
    """The export of one document for its approval (purchase) or sending (sales): at most one each (R11).

    Its mailbox is fixed when it is created (R6). A skipped export is kept too, so a person sees why
    a document of an integrated client did not go.
    """

    id: str
    partner_id: str
    client_id: str
    document_id: str
    direction: Direction
    kind: DocumentKind
    occurred_at: datetime
    created_at: datetime
    status: ExportStatus
    mailbox: Mailbox | None = None
    skip_reason: SkipReason | None = None
    attempts: tuple[Attempt, ...] = ()
    delivered_at: datetime | None = None
    message_id: str | None = None
    last_error: str | None = None
    violations: tuple[Violation, ...] = field(default_factory=tuple)
    # Set while it waits for a new address: queued and not attempted, or failed by the refusal (§8).
    held: HoldReason | None = None
    origin: ExportOrigin = ExportOrigin.EVENT

    @property
    def delivery_attempts(self) -> int:
        """Attempts made to send it, not counting a person's retries nor reports that came back."""
        return sum(1 for a in self.attempts if a.outcome in _SENDING)

    @property
    def waits_for_mailbox(self) -> bool:
        """Queued but held, or failed by its mailbox's refusal: a new or confirmed address sends it."""
        return self.held is not None

    @property
    def first_attempt_at(self) -> datetime | None:
        """When the current run of attempts began: the first one, or the first after the last retry."""
        start = None
        for attempt in self.attempts:
            if attempt.outcome is AttemptOutcome.RETRIED:
                start = None
            elif start is None and attempt.outcome in _SENDING:
                start = attempt.at
        return start

    def delivered(self, at: datetime, message_id: str, reply: str, to: Mailbox | None = None) -> None:
        """The relay took its mail; `to`, when given, is the address the mail went to, which the export
        may have left since (held, then released to a new address while its mail was on its way)."""
        self._require(ExportStatus.QUEUED)
        at = utc(at, "at")
        self.status = ExportStatus.DELIVERED
        self.delivered_at = at
        self.message_id = message_id
        self.last_error = None
        self.held = None
        if to is not None:
            self.mailbox = to
        self._record(Attempt(at, AttemptOutcome.DELIVERED, reply))

    def deferred(self, at: datetime, reply: str) -> None:
        """A temporary failure: it stays queued for another attempt (R16)."""
        self._require(ExportStatus.QUEUED)
        self.last_error = reply
        self._record(Attempt(utc(at, "at"), AttemptOutcome.DEFERRED, reply))

    def failed(self, at: datetime, reply: str, violations: tuple[Violation, ...] = ()) -> None:
        """A permanent failure: the server's answer, or the validation report of an invalid document."""
        self._require(ExportStatus.QUEUED)
        self.status = ExportStatus.FAILED
        self.last_error = reply
        self.violations = violations
        self._record(Attempt(utc(at, "at"), AttemptOutcome.FAILED, reply))

    def refused(self, at: datetime, reply: str) -> None:
        """Its mailbox was refused for good at `RCPT TO` (CONTRACTS §8): failed, and waiting for a new
        or confirmed address to be sent again."""
        self.failed(at, reply)
        self.held = HoldReason.MAILBOX_REFUSED

    def bounced(self, at: datetime, detail: str, *, mailbox_refused: bool) -> None:
        """A delivery status notification says the mail it delivered failed after all: it is failed,
        and waits for a new address when the report refused the mailbox itself (CONTRACTS §8)."""
        self._require(ExportStatus.DELIVERED)
        self.status = ExportStatus.FAILED
        self.last_error = detail
        self.held = HoldReason.MAILBOX_REFUSED if mailbox_refused else None
        self._record(Attempt(utc(at, "at"), AttemptOutcome.FAILED, detail))

    def noted(self, at: datetime, outcome: AttemptOutcome, detail: str) -> None:
        """A report about a mail that changes nothing but the attempts: `delayed`, or a late failure
        of a mail sent before the export was sent again."""
        self._record(Attempt(utc(at, "at"), outcome, detail))

    def hold(self, reason: HoldReason = HoldReason.MAILBOX_REFUSED) -> None:
        """It waits, queued and not attempted, until a person gives its client a working address."""
        self._require(ExportStatus.QUEUED)
        self.held = reason

    def released(self, at: datetime, mailbox: Mailbox) -> None:
        """A new or confirmed address: a held export goes to it, as does one the refusal failed, which
        is queued again (an attempt says so). Nothing else changes address (R6)."""
        if self.held is None:
            raise NotAllowed("only an export waiting for a new address is released")
        if self.status is ExportStatus.FAILED:
            self.status = ExportStatus.QUEUED
            self.violations = ()
            self._record(Attempt(utc(at, "at"), AttemptOutcome.RETRIED, f"sent again to {mailbox}"))
        else:
            self._require(ExportStatus.QUEUED)
        self.held = None
        self.mailbox = mailbox

    def queued_after_skip(self, occurred_at: datetime, mailbox: Mailbox) -> None:
        """The document, skipped when first approved or sent, is approved or sent again while it may
        go: the same export goes this time, to the mailbox in force then."""
        self._require(ExportStatus.SKIPPED)
        self.status = ExportStatus.QUEUED
        self.skip_reason = None
        self.occurred_at = utc(occurred_at, "occurredAt")
        self.mailbox = mailbox

    def retry(self, at: datetime) -> None:
        """A person puts a failed export back in the queue (R17). One the refusal failed stays held
        (queued, not attempted) while its mailbox is refused; the caller knows."""
        if self.status is not ExportStatus.FAILED:
            raise NotAllowed(f"only a failed export can be retried; this one is {self.status}")
        self.status = ExportStatus.QUEUED
        self.violations = ()
        self._record(Attempt(utc(at, "at"), AttemptOutcome.RETRIED))

    def mail_message_id(self, sender_domain: str) -> str:
        """The deterministic Message-ID of its mail, so a resent copy is recognised as the same (R15)."""
        return f"<export-{self.id}@{sender_domain}>"

    def _require(self, status: ExportStatus) -> None:
        if self.status is not status:
            raise NotAllowed(f"the export is {self.status}, not {status}")

    def _record(self, attempt: Attempt) -> None:
        self.attempts = (*self.attempts, attempt)


# The outcomes of trying to send it, as opposed to a person's retries and later reports.
_SENDING = frozenset({AttemptOutcome.DELIVERED, AttemptOutcome.DEFERRED, AttemptOutcome.FAILED})
