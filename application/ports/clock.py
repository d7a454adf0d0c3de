"""The time, as the application sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def jitter(self) -> float:
        """A random number in [0, 1), to spread retries."""
        ...
