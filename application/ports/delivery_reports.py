"""The delivery status notifications `octobridge bounces` has read (CONTRACTS §8), and reading them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# The largest delivery status notification read: reports are a few kilobytes, with at most the
# original message's headers or a copy of it (octobridge's mails are far below this).
MAX_REPORT_SIZE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RecipientReport:
    """What a delivery status notification (RFC 3464) says of one recipient: `action` lowercase
    (`failed`, `delayed`, `delivered`, `relayed`, `expanded`), `status` an enhanced status code
    (`5.1.1`), the server's `diagnostic` ("" when none), and the recipient it is about: the
    `Original-Recipient`, the address the mail was sent to, when the report gives it, else the
    `Final-Recipient` ("" when neither names an e-mail address)."""

    action: str
    status: str
    diagnostic: str
    recipient: str


class DeliveryReportReader(Protocol):
    def read(self, content: bytes) -> Sequence[RecipientReport] | None:
        """The per-recipient reports of the mail `content` (its bytes as received), or None when it is
        not a delivery status notification, is too broken to be read as one, or is larger than
        `MAX_REPORT_SIZE`. Never raises."""
        ...


class DeliveryReports(Protocol):
    """Each report of an export recorded once: the same export, action, status and recipient however
    often the report arrives (the recipient too, so that a refusal of the address an export was sent
    again to is not taken for a repeat of the refusal of the one before).

    `record` returns True when the report is new, False when this transaction or one committed
    before it recorded it. Of two transactions recording the same report at once, one is told it is
    new; the other is told it is not (it waits for the first where the database can), or its
    commit raises `Conflict`. A report of an export that does not exist is `NotStored`.
    """

    async def record(
        self, export_id: str, action: str, status: str, received_at: datetime, recipient: str = ""
    ) -> bool: ...
