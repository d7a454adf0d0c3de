"""Claiming due exports for a worker (R16): the lease keeps every other worker off them."""

from __future__ import annotations

from datetime import timedelta

from application.ports.clock import Clock
from application.ports.delivery_ledger import DeliveryLedger
from domain.export import Export


class ClaimDueExports:
    """Leases up to `limit` due exports to this worker and reads them; no other worker gets them
    until the lease ends. Outbox rows of exports no longer queued are dropped."""

    def __init__(self, ledger: DeliveryLedger, clock: Clock, lease: timedelta = timedelta(minutes=5)) -> None:
        self._ledger = ledger
        self._clock = clock
        self._lease = lease

    async def __call__(self, limit: int) -> list[Export]:
        now = self._clock.now()
        return await self._ledger.claim(now, now + self._lease, limit)
