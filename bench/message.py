"""Building an export's e-mail: octobridge's header policy against `email`'s stock SMTP policy.

Each message is built and flattened to the bytes the relay receives, the two policies alternating
call by call, so that a noisy machine's load falls on both alike. Run: `python bench/message.py`
(goal: ours ≤ 0.8× the stock policy's time; docs/decisions/0004).
"""

from __future__ import annotations

import statistics
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.mail import message
from application.ports.mailer import OutgoingMail

MAIL = OutgoingMail(
    to="uid-008352-24@import.octopus.be",
    subject="Invoice INV-2026-0042 — Brasserie Dupont SRL",
    message_id="<export-0b6e4f2a@octobridge.example>",
    body="Invoice INV-2026-0042 from Brasserie Dupont SRL, as Peppol BIS Billing 3.0 UBL.\n",
    attachment_name="INV-2026-0042.xml",
    attachment=b"<Invoice>" + b"<cbc:Note>x</cbc:Note>" * 400 + b"</Invoice>",
)


def built(policy: EmailPolicy[EmailMessage]) -> float:
    """Seconds to build and flatten one message under `policy`."""
    ours, message._POLICY = message._POLICY, policy
    try:
        start = time.perf_counter()
        message.build_message(MAIL, "octobridge@octobridge.example").as_bytes()
        return time.perf_counter() - start
    finally:
        message._POLICY = ours


def main(repeat: int = 2_000) -> None:
    ours, stock = message._POLICY, SMTP
    for _ in range(50):
        built(ours), built(stock)
    samples = [(built(ours), built(stock)) for _ in range(repeat)]
    median_ours = statistics.median(s[0] for s in samples)
    median_stock = statistics.median(s[1] for s in samples)
    print(f"build and flatten, octobridge's policy  {median_ours * 1e6:7.0f} µs per message")
    print(f"build and flatten, stock SMTP policy    {median_stock * 1e6:7.0f} µs per message")
    print(f"  ratio ours / stock                    {median_ours / median_stock:7.2f}   (goal <= 0.8)")


if __name__ == "__main__":
    main()
