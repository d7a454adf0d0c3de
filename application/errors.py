"""The application's small, stable error set. Adapters raise only these, chaining the library's."""

from __future__ import annotations

from domain.validation import Violation

__all__ = [
    "ApplicationError",
    "Conflict",
    "Forbidden",
    "Invalid",
    "InvalidDocument",
    "MailboxRefused",
    "NotFound",
    "NotStored",
    "RecipientRefused",
    "Unavailable",
    "Violation",
]


class ApplicationError(Exception):
    """Base of every error a use case or port may raise to an entrypoint."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ApplicationError):
    """The thing asked for does not exist for this partner."""


class Conflict(ApplicationError):
    """The request clashes with the current state (already done, not allowed now, needs confirmation)."""


class Invalid(ApplicationError):
    """The input cannot be used; `field` names it when one field is to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unavailable(ApplicationError):
    """A service octobridge depends on cannot be reached now; trying again later may work."""


class NotStored(ApplicationError):
    """The database refused a write for a reason other than a repeat (a foreign key, NOT NULL, CHECK,
    or a key that does not mean "the same thing recorded first"): nothing of the transaction was
    kept. Never acknowledged as done; the same request may go through once a person removes the
    cause. The message is for operators' logs, not for callers."""


class Forbidden(ApplicationError):
    """The caller may not do this."""


class InvalidDocument(Invalid):
    """A document that cannot be turned into valid Peppol BIS 3 UBL; `violations` say why."""

    def __init__(self, message: str, violations: tuple[Violation, ...] = ()) -> None:
        super().__init__(message)
        self.violations = violations


class RecipientRefused(Invalid):
    """The mail relay refused the recipient's address for good (a 5xx reply to `RCPT TO`)."""


class MailboxRefused(RecipientRefused):
    """The recipient's mailbox itself is refused for good (CONTRACTS §8): at `RCPT TO` a reply with
    enhanced status `5.1.x` or `5.2.1`, or without one a `550`, `551` or `553`. The integration's
    address is wrong until a person says otherwise; other refusals fail the export only."""
