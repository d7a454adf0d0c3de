"""What an SMTP server's reply to `RCPT TO` says of the recipient's mailbox (RFC 3463, CONTRACTS §8)."""

from __future__ import annotations

import re

from application.mail_status import is_mailbox_status

# An enhanced status code at the start of the reply text: class.subject.detail.
_ENHANCED = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\S)")
# Without an enhanced status, the basic codes that say the mailbox is unknown, moved or unusable.
_MAILBOX_CODES = frozenset({550, 551, 553})


def is_mailbox_refusal(code: int, message: str) -> bool:
    """True when a permanent reply refuses the mailbox itself: enhanced status `5.1.x` (bad address,
    unknown or moved mailbox) or `5.2.1` (mailbox disabled), or without an enhanced status a `550`,
    `551` or `553`. Other 5xx (policy, size, a full mailbox) and every 4xx are not."""
    if not 500 <= code < 600:
        return False
    enhanced = _ENHANCED.match(message)
    if enhanced is None:
        return code in _MAILBOX_CODES
    return is_mailbox_status(".".join(str(int(part)) for part in enhanced.groups()))
