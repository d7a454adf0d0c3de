"""A person's request to export a client's earlier documents (R27, CONTRACTS §9)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.clock import utc
from domain.errors import InvalidValue, NotAllowed

FURTHEST_BACK = timedelta(days=400)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_of(text: str) -> date | None:
    """A day as people and date inputs write it (YYYY-MM-DD, nothing else), or None."""
    if not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None


class BackfillState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Backfill:
    """One run over a client's documents approved or sent from `first_day` to `last_day` (inclusive,
    by the UTC date): `running` → `done` | `failed`.

    It moves through Banqup's list a page at a time; `cursor` is where the next page starts (None
    before the first and after the last), written with the exports of the page before it, so a run
    resumed after a restart ends with the counts of one uninterrupted run:
    `listed = queued + already_exported + ignored`.
    """

    id: str
    partner_id: str
    client_id: str
    first_day: date
    last_day: date
    requested_at: datetime
    state: BackfillState = BackfillState.RUNNING
    listed: int = 0
    queued: int = 0
    already_exported: int = 0
    ignored: int = 0
    error: str | None = None
    cursor: str | None = None
    finished_at: datetime | None = None

    @classmethod
    def asked(
        cls, backfill_id: str, partner_id: str, client_id: str, first: date, last: date | None, at: datetime
    ) -> Backfill:
        """A request made at `at`: days from no earlier than 400 days before that day (UTC) to no
        later than it; `last` left out is that day, fixed from then on."""
        today = utc(at, "at").date()
        last = today if last is None else last
        if first < today - FURTHEST_BACK:
            earliest = today - FURTHEST_BACK
            raise InvalidValue(
                "from", f"is more than {FURTHEST_BACK.days} days ago (the earliest is {earliest})"
            )
        if last > today:
            raise InvalidValue("to", f"is after today ({today})")
        if first > last:
            raise InvalidValue("from", "is after to")
        return cls(backfill_id, partner_id, client_id, first, last, utc(at, "at"))

    def page_done(self, next_cursor: str | None, *, queued: int, already_exported: int, ignored: int) -> None:
        """The documents of one page counted (their exports are written in the same transaction)."""
        self._require_running()
        self.queued += queued
        self.already_exported += already_exported
        self.ignored += ignored
        self.listed += queued + already_exported + ignored
        self.cursor = next_cursor

    def done(self, at: datetime) -> None:
        self._require_running()
        self.state = BackfillState.DONE
        self.cursor = None
        self.finished_at = utc(at, "at")

    def failed(self, at: datetime, error: str) -> None:
        """It cannot go on (Banqup does not know the space, the integration was switched off…)."""
        self._require_running()
        self.state = BackfillState.FAILED
        self.error = error
        self.finished_at = utc(at, "at")

    def _require_running(self) -> None:
        if self.state is not BackfillState.RUNNING:
            raise NotAllowed(f"the backfill is {self.state}")
