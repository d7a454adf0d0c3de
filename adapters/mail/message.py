"""The e-mail of one export (CONTRACTS §7) as an RFC 5322 message."""

from __future__ import annotations

import re
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from application.ports.mailer import OutgoingMail

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_SUBJECT = 200


class _HeaderClasses(HeaderRegistry):
    """`email`'s header registry, making each kind of header's class once. The stock registry makes
    a new class every time it parses a header, about thirty a message, and building a message took
    twice as long for it (docs/decisions/0004). Only octobridge's own header names reach it."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        kind = name.lower()
        made = self._made.get(kind)
        if made is None:
            made = self._made[kind] = super().__getitem__(name)
        return made


_POLICY = SMTP.clone(header_factory=_HeaderClasses())


def header_text(text: str, limit: int = MAX_SUBJECT) -> str:
    """Text from a document made safe for a header: control characters (CR, LF…) become spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """One document, one message: plain-text body and the UBL as the only attachment."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = header_text(mail.subject)
    message["Message-ID"] = mail.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    message.add_attachment(
        mail.attachment, maintype="application", subtype="xml", filename=mail.attachment_name
    )
    return message


def domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"
