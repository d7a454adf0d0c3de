"""The fake repository of backfills."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from adapters.memory.store import Entities
from application.ports.repositories import BackfillRepository
from domain.backfill import Backfill, BackfillState


def running_key(backfill: Backfill) -> Hashable:
    """As the database's partial unique index: a running backfill takes its client's one place;
    one that ended takes only its own id."""
    if backfill.state is BackfillState.RUNNING:
        return (backfill.partner_id, backfill.client_id)
    return backfill.id


class InMemoryBackfillRepository(BackfillRepository):
    def __init__(self, backfills: Entities[str, Backfill]) -> None:
        self._items = backfills

    async def get(self, partner_id: str, client_id: str, backfill_id: str) -> Backfill | None:
        backfill = self._items.get(backfill_id)
        if backfill is None or (backfill.partner_id, backfill.client_id) != (partner_id, client_id):
            return None
        return backfill

    async def add(self, backfill: Backfill) -> None:
        self._items.add(backfill.id, backfill)

    async def list_running(self) -> Sequence[Backfill]:
        running = [b for b in self._items.values() if b.state is BackfillState.RUNNING]
        return sorted(running, key=lambda b: (b.requested_at, b.id))

    async def latest(self, partner_id: str, client_id: str) -> Backfill | None:
        of_client = [
            b for b in self._items.values() if (b.partner_id, b.client_id) == (partner_id, client_id)
        ]
        return max(of_client, key=lambda b: (b.requested_at, b.id), default=None)

    async def update(self, backfill: Backfill) -> None:
        self._items.update(backfill.id, backfill)
