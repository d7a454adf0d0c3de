"""Delivery status notifications (RFC 3464) read with the standard `email` package: a
`multipart/report` holding a `message/delivery-status` part, whose blocks after the first each
report on one recipient. Anything else, or anything too broken to read, is not a report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default

from adapters.mail.message import header_text
from application.ports.delivery_reports import MAX_REPORT_SIZE, DeliveryReportReader, RecipientReport

ACTIONS = frozenset({"failed", "delayed", "delivered", "relayed", "expanded"})
# RFC 3463: class.subject.detail; what follows (a comment) is left out.
_STATUS = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
# Address types whose address is an e-mail address: RFC 3464's and RFC 6533's.
_ADDRESS_TYPES = frozenset({"rfc822", "utf-8"})
MAX_DIAGNOSTIC = 500
MAX_RECIPIENTS = 100  # a report on more is read as far as that
MAX_RECIPIENT = 320  # an address's local part (64) and domain (255), with room to spare


class EmailDeliveryReportReader(DeliveryReportReader):
    def read(self, content: bytes) -> Sequence[RecipientReport] | None:
        if len(content) > MAX_REPORT_SIZE:
            return None
        try:
            return _reports(BytesParser(policy=default).parsebytes(content)) or None
        except Exception:  # hostile input: whatever `email` trips over, it is not a report
            return None


def _reports(message: Message) -> list[RecipientReport]:
    if message.get_content_type() != "multipart/report" or not isinstance(message, EmailMessage):
        return []
    for part in message.iter_parts():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if not isinstance(blocks, list):
                return []
            read = [_recipient_report(b) for b in blocks[1 : MAX_RECIPIENTS + 1] if isinstance(b, Message)]
            return [report for report in read if report is not None]
    return []


def _recipient_report(block: Message) -> RecipientReport | None:
    """One recipient's fields, or None when its action or status is missing or not one."""
    action = _field(block, "Action").lower()
    status = _STATUS.match(_field(block, "Status"))
    if action not in ACTIONS or status is None:
        return None
    recipient = _address(_field(block, "Original-Recipient")) or _address(_field(block, "Final-Recipient"))
    diagnostic = header_text(_field(block, "Diagnostic-Code"), MAX_DIAGNOSTIC)
    return RecipientReport(action, status.group(1), diagnostic, recipient)


def _field(block: Message, name: str) -> str:
    value = block.get(name)
    return "" if value is None else " ".join(str(value).split())


def _address(field: str) -> str:
    """The e-mail address of an `rfc822; addr` field, "" for another type, none, or one longer than
    any address octobridge sends to."""
    kind, semicolon, address = field.partition(";")
    if not semicolon or kind.strip().lower() not in _ADDRESS_TYPES:
        return ""
    address = address.strip().strip("<>").strip()
    return address if len(address) <= MAX_RECIPIENT else ""
