"""The worker's two frequent transactions: leasing due exports, and recording an attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.export import Export


class DeliveryLedger(Protocol):
    """Which exports are due, and what their attempts did. Each call is a transaction of its own;
    both raise `Unavailable` when the database is down."""

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Export]:
        """Leases up to `limit` exports due at `now` to this worker until `lease_until`, the longest
        due first, and reads them as stored; rows another worker is leasing are skipped, not waited
        for. Outbox rows of exports no longer queued are dropped instead of being claimed."""
        ...

    async def record(self, export: Export, due_again: datetime | None) -> None:
        """`export` as its last attempt left it, taken off the outbox, or due again at `due_again`.
        Raises `Conflict`, having written nothing, when the export changed since it was read."""
        ...
