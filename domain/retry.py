"""When to try a temporary failure again (R16)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """Exponential backoff with jitter, capped at `max_delay`, given up after `horizon`.

    The n-th retry waits `base × 2^(n-1)` (at most `max_delay`), scaled by a jitter factor in
    [0.5, 1.0] so that many deferred exports do not all come back at once.
    """

    base: timedelta = timedelta(seconds=60)
    max_delay: timedelta = timedelta(seconds=4000)
    horizon: timedelta = timedelta(hours=120)

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or self.max_delay < self.base or self.horizon <= timedelta(0):
            raise InvalidValue("retry", "needs 0 < base <= max delay and a positive horizon")

    def delay(self, failures: int, jitter: float) -> timedelta:
        """The wait after the `failures`-th consecutive failure; `jitter` is a number in [0, 1)."""
        if failures < 1 or not 0.0 <= jitter < 1.0:
            raise InvalidValue("retry", "failures start at 1 and jitter lies in [0, 1)")
        full = min(self.base.total_seconds() * 2.0 ** min(failures - 1, 64), self.max_delay.total_seconds())
        return timedelta(seconds=full * (0.5 + jitter / 2))

    def next_attempt(
        self, first_attempt: datetime, now: datetime, failures: int, jitter: float
    ) -> datetime | None:
        """When to try again, or None when the horizon is passed and the failure becomes final."""
        at = now + self.delay(failures, jitter)
        return at if at - first_attempt <= self.horizon else None
