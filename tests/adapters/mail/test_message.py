"""The message of one export: the bytes `email`'s stock SMTP policy makes, for less work."""

from __future__ import annotations

from email.policy import SMTP

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.mail import message as message_module
from adapters.mail.message import build_message
from application.ports.mailer import OutgoingMail
from tests.adapters.mail.test_smtp_mailer import MAILBOX, mail

SENDER = "octobridge@octobridge.example"


def _built(outgoing: OutgoingMail) -> bytes | str:
    """The message's bytes, with the two parts that change between builds (its date and boundary)
    fixed; or why it was refused."""
    try:
        message = build_message(outgoing, SENDER)
    except ValueError as exc:
        return f"refused: {exc}"
    message.replace_header("Date", "Wed, 02 Dec 2026 10:00:00 GMT")
    message.set_boundary("===============boundary==")
    return message.as_bytes()


@given(
    subject=st.text(max_size=300),
    body=st.text(max_size=300),
    name=st.text(min_size=1, max_size=80),
    attachment=st.binary(max_size=2_000),
)
def test_the_message_is_byte_for_byte_the_stock_policys(
    subject: str, body: str, name: str, attachment: bytes
) -> None:
    outgoing = OutgoingMail(MAILBOX, subject, "<export-1@octobridge.example>", body, name, attachment)
    ours = _built(outgoing)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(message_module, "_POLICY", SMTP)
        assert _built(outgoing) == ours


def test_each_kind_of_header_gets_one_class_not_one_per_message() -> None:
    first, second = build_message(mail(1), SENDER), build_message(mail(2), SENDER)
    for name in ("From", "To", "Subject", "Message-ID", "Content-Type"):
        assert type(first[name]) is type(second[name])
    assert type(first["Subject"]) is not type(first["To"])
