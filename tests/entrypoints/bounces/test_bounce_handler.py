"""The bounce listener's hooks on their own: a defect behind them is a temporary failure, told in
octobridge's words, never aiosmtpd's (which would quote the exception)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from entrypoints.bounces.listener import TRY_AGAIN_LATER, BounceHandler

DOMAIN = "bounces.octobridge.example"


class Broken:
    calls = 0

    async def __call__(self, *args: Any) -> Any:
        self.calls += 1
        raise RuntimeError("a defect with private words")


async def test_a_defect_checking_a_recipient_or_recording_a_report_is_451() -> None:
    broken = Broken()
    handler = BounceHandler(DOMAIN, broken, broken)  # type: ignore[arg-type]
    envelope = SimpleNamespace(rcpt_tos=[], original_content=b"Subject: x\r\n\r\n")
    assert await handler.handle_RCPT(None, None, envelope, f"bounce+e.0@{DOMAIN}", []) == TRY_AGAIN_LATER
    assert envelope.rcpt_tos == []
    assert (
        await handler.handle_RCPT(None, None, envelope, f"PostMaster@{DOMAIN.upper()}", []) == "250 2.1.5 OK"
    )
    assert broken.calls == 1, "postmaster is taken without asking the database"
    assert await handler.handle_DATA(None, None, envelope) == TRY_AGAIN_LATER
