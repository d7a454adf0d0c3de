"""A mailer that keeps what it sends: the fake of the mail relay."""

from __future__ import annotations

from adapters.mail.message import domain_of
from application.errors import ApplicationError
from application.ports.mailer import Mailer, OutgoingMail


class InMemoryMailer(Mailer):
    """Keeps each message sent, in order, and answers as a relay that queued it. The failures in
    `refusals` are raised by the next sends, one each, as a relay's answers would be."""

    def __init__(self, sender: str) -> None:
        self._sender = sender
        self.sent: list[OutgoingMail] = []
        self.refusals: list[ApplicationError] = []

    @property
    def sender_domain(self) -> str:
        return domain_of(self._sender)

    async def send(self, mail: OutgoingMail) -> str:
        if self.refusals:
            raise self.refusals.pop(0)
        self.sent.append(mail)
        return f"250 2.0.0 queued as {len(self.sent)}"
