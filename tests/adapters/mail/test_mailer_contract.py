"""The `Mailer` contract, run over every implementation: the SMTP relay (a real server), the `.eml`
files and the in-memory fake."""

from __future__ import annotations

import dataclasses
import email
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from adapters.mail.eml_files import EmlFileMailer
from adapters.mail.smtp import SmtpMailer, SmtpRelay
from adapters.memory.mailer import InMemoryMailer
from application.errors import MailboxRefused, Unavailable
from application.ports.mailer import Mailer, OutgoingMail
from sandbox.smtp_inbox import RunningSmtp, SmtpSink
from tests.adapters.mail.test_smtp_mailer import mail

SENDER = "octobridge@octobridge.example"
# What the other side received of a mail: recipient, subject, Message-ID, attachment name and bytes.
Received = tuple[str, str, str, str, bytes]


@dataclass
class MailerUnderTest:
    mailer: Mailer
    received: Callable[[], list[Received]]
    fail_for_a_while: Callable[[], None]  # the next send meets a temporary failure
    refuse_mailbox: (
        Callable[[str], None] | None
    )  # mail to that address is refused at RCPT TO; None: cannot be
    return_paths: Callable[[], list[str | None]]  # the envelope sender of each mail received, as given


def _read(message: EmailMessage) -> Received:
    (attachment,) = message.iter_attachments()
    assert isinstance(attachment, EmailMessage)
    content = attachment.get_content()
    assert isinstance(content, bytes)
    return (
        str(message["To"]),
        str(message["Subject"]),
        str(message["Message-ID"]),
        str(attachment.get_filename()),
        content,
    )


def _return_path(message: EmailMessage) -> str | None:
    path = message["Return-Path"]
    return None if path is None else str(path).strip("<>")


def _smtp(request: pytest.FixtureRequest, tmp_path: Path) -> MailerUnderTest:
    smtp: RunningSmtp[SmtpSink] = request.getfixturevalue("smtp")
    return MailerUnderTest(
        SmtpMailer(SmtpRelay.from_url(smtp.url), SENDER),
        lambda: [_read(message) for message in smtp.sink.messages],
        lambda: smtp.sink.script.append("421 4.7.0 Try again later"),
        smtp.sink.refuse_recipients.add,
        lambda: [_return_path(message) for message in smtp.sink.messages],  # the server saw MAIL FROM
    )


def _eml_files(request: pytest.FixtureRequest, tmp_path: Path) -> MailerUnderTest:
    outbox = tmp_path / "outbox"

    def received() -> list[Received]:
        files = sorted(outbox.glob("*.eml")) if outbox.is_dir() else []
        return [_read(email.message_from_bytes(f.read_bytes(), policy=default)) for f in files]

    def unwritable() -> None:
        outbox.write_text("not a directory")

    def return_paths() -> list[str | None]:
        files = sorted(outbox.glob("*.eml"))
        return [_return_path(email.message_from_bytes(f.read_bytes(), policy=default)) for f in files]

    return MailerUnderTest(EmlFileMailer(outbox, SENDER), received, unwritable, None, return_paths)


def _in_memory(request: pytest.FixtureRequest, tmp_path: Path) -> MailerUnderTest:
    mailer = InMemoryMailer(SENDER)
    return MailerUnderTest(
        mailer,
        lambda: [(m.to, m.subject, m.message_id, m.attachment_name, m.attachment) for m in mailer.sent],
        lambda: mailer.refusals.append(Unavailable("421 4.7.0 Try again later")),
        mailer.refused_mailboxes.add,
        lambda: [m.envelope_sender for m in mailer.sent],
    )


async def _mailer(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MailerUnderTest]:
    built: MailerUnderTest = request.param(request, tmp_path)
    yield built
    if isinstance(built.mailer, SmtpMailer):
        await built.mailer.close()


under_test = pytest.fixture(
    _mailer, params=[_smtp, _eml_files, _in_memory], ids=["smtp", "eml-files", "in-memory"], name="under_test"
)
# The mailers with a recipient to refuse: files have none.
refusing = pytest.fixture(_mailer, params=[_smtp, _in_memory], ids=["smtp", "in-memory"], name="refusing")


def _as_received(sent: OutgoingMail) -> Received:
    return (sent.to, sent.subject, sent.message_id, sent.attachment_name, sent.attachment)


async def test_each_mail_arrives_whole_with_its_message_id_and_attachment(
    under_test: MailerUnderTest,
) -> None:
    first, second = mail(1), mail(2, subject="Credit note CN-2 — Brasserie Dupont")
    replies = [await under_test.mailer.send(first), await under_test.mailer.send(second)]
    assert all(reply.strip() for reply in replies)
    assert sorted(under_test.received()) == sorted([_as_received(first), _as_received(second)])


async def test_the_sender_domain_is_the_domain_of_the_sender(under_test: MailerUnderTest) -> None:
    assert under_test.mailer.sender_domain == "octobridge.example"


async def test_a_temporary_failure_is_unavailable_and_delivers_nothing(under_test: MailerUnderTest) -> None:
    under_test.fail_for_a_while()
    with pytest.raises(Unavailable):
        await under_test.mailer.send(mail())
    assert under_test.received() == []


async def test_a_refused_mailbox_is_mailbox_refused_with_the_reply_and_others_still_go(
    refusing: MailerUnderTest,
) -> None:
    assert refusing.refuse_mailbox is not None
    refused = mail(1)
    refusing.refuse_mailbox(refused.to)
    with pytest.raises(MailboxRefused, match=r"^550 5\.1\.1 .*User unknown"):
        await refusing.mailer.send(refused)
    elsewhere = replace(mail(2), to="uid-000001-01@import.octopus.be")
    await refusing.mailer.send(elsewhere)
    assert refusing.received() == [_as_received(elsewhere)]


async def test_an_envelope_sender_is_the_mails_return_path(under_test: MailerUnderTest) -> None:
    bounce_to = "bounce+0192-export.0123456789abcdef@bounces.octobridge.example"
    await under_test.mailer.send(dataclasses.replace(mail(), envelope_sender=bounce_to))
    assert under_test.return_paths() == [bounce_to]
