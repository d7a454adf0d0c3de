"""Octopus allows 150 calls a day to `/dossiers` (CONTRACTS §6): this cache keeps every account
under that, whatever the traffic."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.errors import Unavailable
from application.ports.clock import Clock
from application.ports.octopus import Dossier

DAILY_LIMIT = 150
DAY = timedelta(days=1)
# Fresh for 10 minutes: at most 144 refreshes a day, leaving a few calls for failures and retries.
FRESH_FOR = timedelta(minutes=10)


@dataclass
class _Account:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    calls: deque[datetime] = field(default_factory=deque)  # when each call of the last 24 hours began
    dossiers: list[Dossier] | None = None
    fetched_at: datetime | None = None


class DossierCache:
    """Dossier lists per partner, fresh for `fresh_for`, fetched by one caller at a time.

    Every call to Octopus is counted against a rolling 24-hour budget per partner, failed ones
    included. With the budget spent, the last list is served however old it is; with no list
    yet, `Unavailable`. The count lives in this process: run one Octopus-calling process per
    account, or share the cache, to keep the promise across processes.
    """

    def __init__(
        self, clock: Clock, daily_limit: int = DAILY_LIMIT, fresh_for: timedelta = FRESH_FOR
    ) -> None:
        self._clock = clock
        self._limit = daily_limit
        self._fresh_for = fresh_for
        self._accounts: dict[str, _Account] = {}

    async def get(self, partner_id: str, fetch: Callable[[], Awaitable[list[Dossier]]]) -> list[Dossier]:
        account = self._accounts.setdefault(partner_id, _Account())
        async with account.lock:
            now = self._clock.now()
            fresh = account.fetched_at is not None and now - account.fetched_at < self._fresh_for
            if account.dossiers is not None and fresh:
                return list(account.dossiers)
            while account.calls and now - account.calls[0] >= DAY:
                account.calls.popleft()
            if len(account.calls) >= self._limit:
                if account.dossiers is not None:
                    return list(account.dossiers)
                raise Unavailable("Octopus's daily limit of calls for the dossier list is reached; try later")
            account.calls.append(now)
            dossiers = await fetch()
            account.dossiers, account.fetched_at = dossiers, now
            return list(dossiers)
