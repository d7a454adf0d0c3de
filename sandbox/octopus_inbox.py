"""The stand-in for Octopus's dossier mailboxes: an SMTP server that checks each mail the way Octopus
would before booking it (CONTRACTS §6), keeps it, and logs the verdict."""

from __future__ import annotations

import email
import json
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from adapters.ubl import PeppolUblToolkit
from application.errors import Invalid
from domain.file_names import file_name_stem


@dataclass(frozen=True)
class Verdict:
    mailbox: str
    message_id: str
    subject: str
    booked: bool
    problems: tuple[str, ...]
    return_path: str  # the envelope sender, where a bounce goes


@dataclass
class OctopusInbox:
    """Mailboxes of known dossiers (address → the dossier's VAT number, or None when it has none).

    Unknown addresses are refused at RCPT, as a mail server does, and kept in `refused`. A mail to a
    known one is accepted and kept under `directory/<mailbox>/`; it is booked only with exactly one
    `.xml` attachment that is valid Peppol BIS 3, for a dossier whose VAT number is filled in. A dossier
    that `move`s is refused at its old address from then on. A mailbox in `bounce_later` takes a mail
    and refuses it afterwards, as a dossier that moved does: `late_bounces` are the mails to bounce.
    """

    directory: Path
    dossiers: dict[str, str | None]
    toolkit: PeppolUblToolkit = field(default_factory=PeppolUblToolkit)
    verdicts: list[Verdict] = field(default_factory=list)
    bounce_later: frozenset[str] = frozenset()
    refused: list[str] = field(default_factory=list)  # the addresses refused at RCPT, once per try
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            known = address.lower() in self.dossiers
            if not known:
                self.refused.append(address.lower())
        if not known:
            return f"550 5.1.1 <{address}>: no Octopus dossier has this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def move(self, old: str, new: str) -> None:
        """The dossier of mailbox `old` moves to `new`, as when its structure changes in Octopus: from
        now on `old` is refused at RCPT and `new` takes its mail."""
        with self.lock:
            self.dossiers[new.lower()] = self.dossiers.pop(old.lower())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        for mailbox in envelope.rcpt_tos:
            self._keep(mailbox.lower(), message, envelope.content, envelope.mail_from)
        return "250 2.0.0 Ok: accepted by the dossier mailbox"

    def late_bounces(self) -> list[Verdict]:
        """The mails taken for a mailbox that bounces later."""
        with self.lock:
            return [v for v in self.verdicts if v.mailbox in self.bounce_later]

    def _keep(self, mailbox: str, message: EmailMessage, raw: bytes, return_path: str) -> None:
        problems = self._problems(mailbox, message)
        message_id = str(message["Message-ID"] or "").strip()  # a long one arrives folded
        subject = str(message["Subject"] or "")
        verdict = Verdict(mailbox, message_id, subject, not problems, tuple(problems), return_path)
        folder = self.directory / mailbox
        folder.mkdir(parents=True, exist_ok=True)
        (folder / (file_name_stem(message_id, fallback="message") + ".eml")).write_bytes(raw)
        with self.lock:
            self.verdicts.append(verdict)
            with (self.directory / "log.jsonl").open("a") as log:
                log.write(json.dumps(verdict.__dict__, default=list) + "\n")

    def _problems(self, mailbox: str, message: EmailMessage) -> list[str]:
        problems = []
        if not self.dossiers.get(mailbox):
            problems.append("the dossier has no VAT number: Octopus processes nothing for it")
        attachments = [a for a in message.iter_attachments() if (a.get_filename() or "").endswith(".xml")]
        if len(attachments) != 1:
            return [*problems, f"expected one .xml attachment, found {len(attachments)}"]
        content = attachments[0].get_content()
        try:
            fatal = [v for v in self.toolkit.validate(content) if v.fatal]
        except Invalid as exc:
            return [*problems, f"the attachment is not UBL: {exc.message}"]
        return problems + [f"{v.rule_id}: {v.message}" for v in fatal]
