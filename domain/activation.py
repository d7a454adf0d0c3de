"""When something was switched on: a history of activation periods (R3, R7, R9)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from domain.clock import utc
from domain.errors import NotAllowed


@dataclass(frozen=True, slots=True)
class ActivationPeriod:
    """Active from `start` (included) until `end` (excluded); an open period has no end."""

    start: datetime
    end: datetime | None = None

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)


@dataclass(frozen=True, slots=True)
class ActivationHistory:
    """The periods something was active, oldest first, never overlapping; only the last may be open.

    Immutable: a switch gives a new history, and the same one when nothing changes.
    """

    periods: tuple[ActivationPeriod, ...] = ()

    @property
    def is_active(self) -> bool:
        return bool(self.periods) and self.periods[-1].end is None

    @property
    def active_since(self) -> datetime | None:
        """The start of the current period, or None when switched off."""
        return self.periods[-1].start if self.is_active else None

    @property
    def first_activated_at(self) -> datetime | None:
        return self.periods[0].start if self.periods else None

    @property
    def last_change(self) -> datetime | None:
        if not self.periods:
            return None
        last = self.periods[-1]
        return last.start if last.end is None else last.end

    def was_active_at(self, moment: datetime) -> bool:
        moment = utc(moment)
        return any(period.covers(moment) for period in self.periods)

    def switched_on(self, at: datetime) -> ActivationHistory:
        if self.is_active:
            return self
        if not self.periods:
            return _opened(at)
        return ActivationHistory((*self.periods, ActivationPeriod(self._after_last_change(at))))

    def switched_off(self, at: datetime) -> ActivationHistory:
        if not self.is_active:
            return self
        closed = ActivationPeriod(self.periods[-1].start, self._after_last_change(at))
        return ActivationHistory((*self.periods[:-1], closed))

    def _after_last_change(self, at: datetime) -> datetime:
        at = utc(at, "at")
        last = self.last_change
        if last is not None and at < last:
            raise NotAllowed("an activation change cannot be dated before the previous one")
        return at


@functools.lru_cache(maxsize=16)
def _opened(at: datetime) -> ActivationHistory:
    """The history switched on for the first time at `at`. A value: one instance serves every
    integration opened at that instant, as the thousands of a bulk import are."""
    return ActivationHistory((ActivationPeriod(utc(at, "at")),))
