"""Delivery status notifications (RFC 3464) as a mail server sends them: the demo's late bounces and
the tests'."""

from __future__ import annotations

USER_UNKNOWN = "smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown"


def delivery_report(
    to: str,
    recipient: str,
    *,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = USER_UNKNOWN,
    original_recipient: bool = False,
) -> bytes:
    """Postfix's report to `to` (a bounce address) on `recipient`, a recipient of a mail it took and
    then could not deliver; `{recipient}` in `diagnostic` is the recipient."""
    original = f"Original-Recipient: rfc822;{recipient}\r\n" if original_recipient else ""
    return (
        "From: MAILER-DAEMON@mx.octopus.example (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"\r\n'
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.octopus.example\r\n"
        "Arrival-Date: Fri, 20 Nov 2026 09:00:00 +0000 (UTC)\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"{original}"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Remote-MTA: dns; inbound.octopus.example\r\n"
        f"Diagnostic-Code: {diagnostic.format(recipient=recipient)}\r\n"
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "Subject: Invoice\r\n"
        "\r\n"
        "--B0UND--\r\n"
    ).encode()
