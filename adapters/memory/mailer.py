"""A mailer that keeps what it sends: the fake of the mail relay."""

from __future__ import annotations

from adapters.mail.message import domain_of
from application.errors import ApplicationError, MailboxRefused
from application.ports.mailer import Mailer, OutgoingMail


class InMemoryMailer(Mailer):
    """Keeps each message sent, in order, and answers as a relay that queued it. The failures in
    `refusals` are raised by the next sends, one each, as a relay's answers would be; a mail to an
    address in `refused_mailboxes` is refused at `RCPT TO` as an unknown mailbox (`MailboxRefused`),
    every time."""

    def __init__(self, sender: str) -> None:
        self._sender = sender
        self.sent: list[OutgoingMail] = []
        self.refusals: list[ApplicationError] = []
        self.refused_mailboxes: set[str] = set()

    @property
    def sender_domain(self) -> str:
        return domain_of(self._sender)

    async def send(self, mail: OutgoingMail) -> str:
        if mail.to in self.refused_mailboxes:
            raise MailboxRefused(f"550 5.1.1 <{mail.to}>: Recipient address rejected: User unknown")
        if self.refusals:
            raise self.refusals.pop(0)
        self.sent.append(mail)
        return f"250 2.0.0 queued as {len(self.sent)}"
