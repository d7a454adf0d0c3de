"""Sending one export's mail (R15, R16)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """One document, one message (CONTRACTS §7)."""

    to: str
    subject: str
    message_id: str
    body: str
    attachment_name: str
    attachment: bytes
    envelope_sender: str | None = None  # SMTP `MAIL FROM` naming the export (CONTRACTS §7); None: the sender


class Mailer(Protocol):
    """Hands a message to the mail relay and returns the relay's reply.

    Raises `Unavailable` on a temporary failure (connection refused or reset, timeout, 4xx reply),
    `MailboxRefused` when the recipient's mailbox is refused for good (CONTRACTS §8),
    `RecipientRefused` when the relay refuses the recipient for good otherwise (5xx to `RCPT TO`), and
    `Invalid` on another permanent one (5xx reply), each with the server's answer.
    """

    @property
    def sender_domain(self) -> str: ...

    async def send(self, mail: OutgoingMail) -> str: ...
