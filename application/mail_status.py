"""What a mail server's enhanced status code (RFC 3463) says about the recipient's mailbox."""

from __future__ import annotations


def is_mailbox_status(status: str) -> bool:
    """Whether `status` refuses the mailbox itself for good (CONTRACTS §8): `5.1.x`, the address is
    wrong, or `5.2.1`, the mailbox is disabled. Other failures (a full mailbox, a message refused
    for its content, a relay's policy) say nothing of the address."""
    return status.startswith("5.1.") or status == "5.2.1"
