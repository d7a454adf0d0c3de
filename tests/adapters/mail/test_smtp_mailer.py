"""`SmtpMailer` against a real SMTP server: the message of CONTRACTS §7, the answers told apart, the pool."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from adapters.mail.smtp import SmtpMailer, SmtpRelay
from application.errors import Invalid, MailboxRefused, RecipientRefused, Unavailable
from application.ports.mailer import OutgoingMail
from sandbox.smtp_inbox import DROP, RunningSmtp, SmtpSink, start_smtp

MAILBOX = "uid-008352-24@import.octopus.be"


def mail(n: int = 1, subject: str = "Invoice INV-1 — Brasserie Dupont") -> OutgoingMail:
    return OutgoingMail(
        to=MAILBOX,
        subject=subject,
        message_id=f"<export-{n}@octobridge.example>",
        body="Invoice INV-1 from Brasserie Dupont.\n",
        attachment_name=f"INV-{n}.xml",
        attachment=b"<?xml version='1.0'?><Invoice/>",
    )


def mailer(smtp: RunningSmtp, **options: float) -> SmtpMailer:
    return SmtpMailer(SmtpRelay.from_url(smtp.url), "octobridge@octobridge.example", **options)  # type: ignore[arg-type]


async def test_the_message_is_the_contracts(smtp: RunningSmtp) -> None:
    sender = mailer(smtp)
    reply = await sender.send(mail())
    await sender.close()
    assert reply.startswith("2.0.0 Ok") or "queued" in reply
    (message,) = smtp.sink.messages
    assert (message["To"], message["From"]) == (MAILBOX, "octobridge@octobridge.example")
    assert message["Subject"] == "Invoice INV-1 — Brasserie Dupont"
    assert message["Message-ID"] == "<export-1@octobridge.example>"
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [
        ("INV-1.xml", "application/xml")
    ]
    assert attachments[0].get_content() == b"<?xml version='1.0'?><Invoice/>"


async def test_the_envelope_sender_is_mail_from_and_the_header_from_stays_the_sender(
    smtp: RunningSmtp,
) -> None:
    sender = mailer(smtp)
    await sender.send(mail(1))
    await sender.send(dataclasses.replace(mail(2), envelope_sender="bounce+2.0123456789abcdef@b.example"))
    await sender.close()
    first, second = smtp.sink.messages
    assert first["Return-Path"] == "<octobridge@octobridge.example>"  # no envelope sender: MAIL_FROM
    assert second["Return-Path"] == "<bounce+2.0123456789abcdef@b.example>"
    assert second["From"] == "octobridge@octobridge.example"


async def test_a_subject_from_a_document_cannot_inject_headers(smtp: RunningSmtp) -> None:
    sender = mailer(smtp)
    await sender.send(mail(subject="Invoice X\r\nBcc: victim@example.com\r\n\r\nbody"))
    await sender.close()
    (message,) = smtp.sink.messages
    assert message["Bcc"] is None
    assert message["Subject"] == "Invoice X Bcc: victim@example.com body"


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("421 4.7.0 Try again later", Unavailable),
        ("451 4.3.0 Local error", Unavailable),
        ("554 5.7.1 Rejected", Invalid),
    ],
)
async def test_temporary_and_permanent_answers_are_told_apart(
    smtp: RunningSmtp, reply: str, error: type
) -> None:
    smtp.sink.script.append(reply)
    sender = mailer(smtp)
    with pytest.raises(error) as caught:
        await sender.send(mail())
    await sender.close()
    assert caught.value.message == reply
    assert not isinstance(caught.value, RecipientRefused)  # refused at DATA: the message, not the mailbox


async def test_a_refused_recipient_is_final_with_the_servers_words(smtp: RunningSmtp) -> None:
    smtp.sink.refuse_recipients.add(MAILBOX)
    sender = mailer(smtp)
    with pytest.raises(MailboxRefused, match=r"550 5\.1\.1 .*User unknown"):
        await sender.send(mail())
    await sender.close()


class _RecipientReplies(SmtpSink):
    """Answers `RCPT TO` with `reply`."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    async def handle_RCPT(self, server: object, session: object, envelope: object, *_: object) -> str:
        return self.reply


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("550 5.1.1 <x>: Recipient address rejected: User unknown", MailboxRefused),
        ("550 5.2.1 Mailbox disabled", MailboxRefused),
        ("551 User not local; please try <new@import.octopus.be>", MailboxRefused),
        ("553 mailbox name not allowed", MailboxRefused),
        ("550 5.7.1 Relaying denied", RecipientRefused),
        ("554 Transaction failed", RecipientRefused),
        ("450 4.2.1 Mailbox busy, try again", Unavailable),
    ],
)
async def test_a_refused_mailbox_at_rcpt_is_told_from_other_refusals(reply: str, error: type) -> None:
    server = start_smtp(_RecipientReplies(reply))
    sender = mailer(server)
    try:
        with pytest.raises(error) as caught:
            await sender.send(mail())
    finally:
        await sender.close()
        server.stop()
    assert type(caught.value) is error
    assert caught.value.message == reply
    assert server.sink.messages == []


async def test_a_dropped_connection_is_temporary_and_the_next_send_reconnects(smtp: RunningSmtp) -> None:
    smtp.sink.script.append(DROP)
    sender = mailer(smtp)
    with pytest.raises(Unavailable):
        await sender.send(mail(1))
    await sender.send(mail(2))
    await sender.close()
    assert smtp.sink.message_ids() == ["<export-2@octobridge.example>"]


async def test_a_relay_that_is_down_is_temporary(smtp: RunningSmtp) -> None:
    smtp.stop()
    sender = mailer(smtp)
    with pytest.raises(Unavailable, match="cannot reach the mail relay"):
        await sender.send(mail())


async def test_connections_are_reused_and_recycled(smtp: RunningSmtp) -> None:
    sender = mailer(smtp, pool_size=2)
    await asyncio.gather(*(sender.send(mail(n)) for n in range(10)))
    assert smtp.sink.connections <= 2
    await sender.close()
    recycling = mailer(smtp, pool_size=1, recycle_after=0.0)
    before = smtp.sink.connections
    for n in range(3):
        await recycling.send(mail(n))
    await recycling.close()
    assert smtp.sink.connections - before == 3
    assert len(smtp.sink.messages) == 13


def test_relay_urls() -> None:
    assert SmtpRelay.from_url("smtps://user%40x:p%3Ass@mail.example") == SmtpRelay(
        "mail.example", 465, True, None, "user@x", "p:ss"
    )
    assert SmtpRelay.from_url("smtp://mail.example:587?starttls=1").start_tls is True
    with pytest.raises(Invalid):
        SmtpRelay.from_url("http://mail.example")
