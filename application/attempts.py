"""What one failed step of an export attempt means: temporary or permanent, and whose it is.

The rule, written once: only I/O is temporary — Banqup unreachable or answering 5xx, the mail relay's
temporary answers, the database. Anything about the document itself is permanent and fails the
export at once, with a reason a person can read: retrying cannot change the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from application.errors import (
    ApplicationError,
    InvalidDocument,
    MailboxRefused,
    NotFound,
    RecipientRefused,
    Unavailable,
)
from domain.export import AttemptOutcome
from domain.validation import Violation


class AttemptReason(StrEnum):
    """Why an attempt did not deliver: a small closed set, for logs and metrics."""

    BANQUP = "banqup"  # Banqup unreachable, timing out or answering 5xx
    RELAY = "relay"  # the mail relay unreachable, or answering other than about the recipient
    RECIPIENT = "recipient"  # the relay refused the recipient for good, for another reason than its mailbox
    MAILBOX = "mailbox"  # the recipient's mailbox is refused for good: the client's address is wrong (§8)
    DOCUMENT = "document"  # the document cannot be turned into valid UBL, or is gone
    DATABASE = "database"  # the attempt could not be recorded
    UNEXPECTED = "unexpected"  # a surprise outside rendering; tried again by the schedule


class Step(StrEnum):
    """Where in an attempt an error came from."""

    FETCH = "fetch"  # reading the document from Banqup
    RENDER = "render"  # making and validating its UBL
    SEND = "send"  # handing the mail to the relay
    RECORD = "record"  # recording the attempt


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an attempt came to: `DELIVERED` (no reason), `DEFERRED` (temporary) or `FAILED`
    (permanent), and why."""

    outcome: AttemptOutcome
    reason: AttemptReason | None
    detail: str
    violations: tuple[Violation, ...] = ()


# Whom an `Unavailable` is about, by the step that met it (rendering talks to no one).
_UNAVAILABLE = {
    Step.FETCH: AttemptReason.BANQUP,
    Step.SEND: AttemptReason.RELAY,
    Step.RECORD: AttemptReason.DATABASE,
}


def _deferred(reason: AttemptReason, detail: str) -> Verdict:
    return Verdict(AttemptOutcome.DEFERRED, reason, detail)


def _failed(reason: AttemptReason, detail: str, violations: tuple[Violation, ...] = ()) -> Verdict:
    return Verdict(AttemptOutcome.FAILED, reason, detail, violations)


def judge(step: Step, error: Exception) -> Verdict:
    """The one place that decides whether a failed step is tried again."""
    if isinstance(error, InvalidDocument):
        return _failed(AttemptReason.DOCUMENT, error.message, error.violations)
    if step is Step.RENDER:
        # Rendering reads only the document: whatever goes wrong there goes wrong again next time.
        if isinstance(error, ApplicationError):
            return _failed(AttemptReason.DOCUMENT, error.message)
        return _failed(
            AttemptReason.DOCUMENT,
            "octobridge could not render this document; this is a defect to report, "
            f"with the document: {_named(error)}",
        )
    if isinstance(error, Unavailable):
        return _deferred(_UNAVAILABLE[step], error.message)
    if step is Step.FETCH and isinstance(error, NotFound):
        return _failed(AttemptReason.DOCUMENT, f"Banqup no longer has the document: {error.message}")
    if isinstance(error, MailboxRefused):
        return _failed(AttemptReason.MAILBOX, error.message)
    if isinstance(error, RecipientRefused):
        return _failed(AttemptReason.RECIPIENT, error.message)
    if isinstance(error, ApplicationError):  # refused for good: too large a document, a 5xx reply
        reason = AttemptReason.DOCUMENT if step is Step.FETCH else AttemptReason.RELAY
        return _failed(reason, error.message)
    return _deferred(AttemptReason.UNEXPECTED, f"unexpected error: {_named(error)}")


def _named(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
