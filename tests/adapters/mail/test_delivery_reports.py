"""Reading delivery status notifications (RFC 3464) with the standard `email` package: the fields of
each recipient, and anything else or anything broken told as not a report, never an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.mail.delivery_reports import MAX_DIAGNOSTIC, EmailDeliveryReportReader
from application.ports.delivery_reports import MAX_REPORT_SIZE, RecipientReport
from tests.builders import MAILBOX
from tests.delivery_reports import NOT_A_REPORT, a_delivery_report

BOUNCE = "bounce+e-1.0123456789abcdef@bounces.octobridge.example"
READER = EmailDeliveryReportReader()


def test_a_failure_is_read_with_its_status_diagnostic_and_recipient() -> None:
    assert READER.read(a_delivery_report(BOUNCE)) == [
        RecipientReport(
            action="failed",
            status="5.1.1",
            diagnostic=f"smtp; 550 5.1.1 <{MAILBOX}>: Recipient address rejected: User unknown",
            recipient=MAILBOX,
        )
    ]


def test_a_delay_a_comment_after_the_status_and_capitals_are_read() -> None:
    report = a_delivery_report(BOUNCE, action="Delayed", status="4.4.1 (connection timed out)")
    (read,) = READER.read(report) or []
    assert (read.action, read.status) == ("delayed", "4.4.1")


def test_the_original_recipient_is_the_address_the_mail_went_to() -> None:
    report = a_delivery_report(BOUNCE, recipient="uid-1@import.octopus.be", original_recipient=True)
    forwarded = report.replace(b"Final-Recipient: rfc822; uid-1@", b"Final-Recipient: rfc822; internal-1@")
    (read,) = READER.read(forwarded) or []
    assert read.recipient == "uid-1@import.octopus.be"


def test_a_folded_diagnostic_is_one_line_and_a_long_one_is_cut() -> None:
    folded = a_delivery_report(BOUNCE, diagnostic="smtp; 550 5.1.1 mailbox\r\n    unavailable")
    (read,) = READER.read(folded) or []
    assert read.diagnostic == "smtp; 550 5.1.1 mailbox unavailable"
    (long,) = READER.read(a_delivery_report(BOUNCE, diagnostic="smtp; " + "x" * 5000)) or []
    assert len(long.diagnostic) == MAX_DIAGNOSTIC


def test_a_report_on_several_recipients_reads_each() -> None:
    report = a_delivery_report(BOUNCE).replace(
        b"\r\n--B0UND\r\nContent-Type: text/rfc822-headers",
        b"\r\nFinal-Recipient: rfc822; other@example.com\r\nAction: delayed\r\nStatus: 4.2.2\r\n"
        b"\r\n--B0UND\r\nContent-Type: text/rfc822-headers",
    )
    assert [(r.action, r.recipient) for r in READER.read(report) or []] == [
        ("failed", MAILBOX),
        ("delayed", "other@example.com"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        NOT_A_REPORT,
        b"",
        b"\x00\xff" * 100,
        a_delivery_report(BOUNCE).replace(b"multipart/report", b"multipart/mixed"),
        a_delivery_report(BOUNCE).replace(b"message/delivery-status", b"text/plain"),
        a_delivery_report(BOUNCE, status="5.1"),
        a_delivery_report(BOUNCE, status="five"),
        a_delivery_report(BOUNCE, status="5.1.1.1"),
        a_delivery_report(BOUNCE, action="exploded"),
        a_delivery_report(BOUNCE).replace(b"Action: failed\r\n", b""),
        a_delivery_report(BOUNCE).replace(b'boundary="B0UND"', b'boundary="OTHER"'),
        a_delivery_report(BOUNCE).split(b"--B0UND\r\nContent-Type: message/delivery-status")[0],
    ],
    ids=[
        "plain mail",
        "empty",
        "binary",
        "not a report",
        "no status part",
        "short status",
        "no status",
        "long status",
        "unknown action",
        "no action",
        "wrong boundary",
        "cut short",
    ],
)
def test_anything_else_is_not_a_report(content: bytes) -> None:
    assert READER.read(content) is None


def test_a_report_without_an_email_recipient_names_none() -> None:
    report = a_delivery_report(BOUNCE).replace(b"rfc822; " + MAILBOX.encode(), b"x400; /C=BE/")
    (read,) = READER.read(report) or []
    assert read.recipient == ""


def test_a_report_larger_than_the_bound_is_not_read() -> None:
    report = a_delivery_report(BOUNCE)
    padded = report.replace(b"I'm sorry", b"x" * MAX_REPORT_SIZE + b"\r\nI'm sorry")
    assert READER.read(report) is not None
    assert READER.read(padded) is None


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_without_an_error(content: bytes) -> None:
    READER.read(content)


@settings(max_examples=200)
@given(st.data())
def test_any_damage_to_a_report_is_read_without_an_error(data: st.DataObject) -> None:
    report = bytearray(a_delivery_report(BOUNCE))
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(report) - 1))
        report[at] = data.draw(st.integers(0, 255))
    read = READER.read(bytes(report))
    assert read is None or all(
        r.action in ("failed", "delayed", "delivered", "relayed", "expanded") for r in read
    )
