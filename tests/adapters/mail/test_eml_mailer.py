"""The embedded default: each message an `.eml` file, written whole or not at all."""

from __future__ import annotations

import email
from email.policy import default
from pathlib import Path

import pytest

from adapters.mail.eml_files import EmlFileMailer
from application.errors import Unavailable
from tests.adapters.mail.test_smtp_mailer import MAILBOX, mail


async def test_a_message_is_one_complete_file_named_after_its_message_id(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    mailer = EmlFileMailer(outbox, "octobridge@localhost")
    reply = await mailer.send(mail(7))
    await mailer.send(mail(7))  # a resend replaces the same file
    files = sorted(outbox.iterdir())
    assert [f.name for f in files] == ["export-7_octobridge.example.eml"]
    assert str(files[0]) in reply
    message = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert (message["To"], message["Message-ID"]) == (MAILBOX, "<export-7@octobridge.example>")
    assert mailer.sender_domain == "localhost"


async def test_an_unwritable_outbox_is_temporary(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with pytest.raises(Unavailable, match="cannot write"):
        await EmlFileMailer(blocker, "octobridge@localhost").send(mail())
