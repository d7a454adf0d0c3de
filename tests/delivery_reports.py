"""Delivery status notifications (RFC 3464) for the tests: about the builders' mailbox by default."""

from __future__ import annotations

from typing import Any

from sandbox.delivery_reports import delivery_report
from tests.builders import MAILBOX


def a_delivery_report(to: str, *, recipient: str = MAILBOX, **fields: Any) -> bytes:
    return delivery_report(to, recipient, **fields)


NOT_A_REPORT = (
    b"From: someone@example.com\r\nTo: postmaster@bounces.octobridge.example\r\n"
    b"Subject: hello\r\n\r\nJust saying hello.\r\n"
)
