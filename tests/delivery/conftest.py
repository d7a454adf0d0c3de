"""A real SMTP server (aiosmtpd, in this process) whose answers a test can script, and a stand-in Banqup."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.banqup import BanqupStandIn, create_banqup_app
from sandbox.server import serving
from sandbox.smtp_inbox import DROP, RunningSmtp, SmtpSink, start_smtp

__all__ = ["DROP", "RunningSmtp"]


@pytest.fixture
def smtp() -> Iterator[RunningSmtp[SmtpSink]]:
    running = start_smtp(SmtpSink())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def banqup() -> Iterator[tuple[BanqupStandIn, str]]:
    stand_in = BanqupStandIn()
    with serving(create_banqup_app(stand_in)) as url:
        yield stand_in, url
