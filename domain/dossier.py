"""Octopus dossiers and the daily budget of calls for their list: Octopus allows 150 calls a day to
`/dossiers` (CONTRACTS §6). A partner's dossier list is kept with the times of the calls made for it,
in the database, so every process of octobridge counts against the same budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

DAILY_LIMIT = 150
DAY = timedelta(days=1)
# Fresh for 10 minutes: at most 144 refreshes a day, leaving a few calls for failures and retries.
FRESH_FOR = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Dossier:
    """An Octopus dossier as the accountant picks it: name, VAT number and mailbox when known."""

    id: int
    name: str
    vat_number: str | None
    mailbox: str | None


@dataclass
class DossierList:
    """The last list fetched for a partner, and when each call of the last 24 hours began."""

    partner_id: str
    dossiers: tuple[Dossier, ...] | None = None
    fetched_at: datetime | None = None
    calls: tuple[datetime, ...] = field(default_factory=tuple)

    def fresh(self, now: datetime, fresh_for: timedelta = FRESH_FOR) -> bool:
        return self.dossiers is not None and self.fetched_at is not None and now - self.fetched_at < fresh_for

    def reserve_call(self, now: datetime, limit: int = DAILY_LIMIT) -> bool:
        """Counts a call about to be made, failed ones included; False when the day's budget is spent."""
        recent = tuple(at for at in self.calls if now - at < DAY)
        if len(recent) >= limit:
            self.calls = recent
            return False
        self.calls = (*recent, now)
        return True

    def fetched(self, dossiers: list[Dossier], now: datetime) -> None:
        self.dossiers, self.fetched_at = tuple(dossiers), now
