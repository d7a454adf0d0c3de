"""The system clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from application.ports.clock import Clock


class SystemClock(Clock):
    def __init__(self) -> None:
        self._random = random.SystemRandom()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def jitter(self) -> float:
        return self._random.random()
