"""The fake record of received message ids."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from adapters.memory.store import Staged
from application.ports.repositories import ForgottenIds, ReceivedMessages


class InMemoryReceivedMessages(ReceivedMessages):
    def __init__(self, messages: Staged[str, datetime]) -> None:
        self._items = messages

    async def record(self, message_ids: Collection[str], received_at: datetime) -> set[str]:
        new = {m for m in message_ids if m not in self._items}
        for message_id in new:
            self._items.put(message_id, received_at)
        return new

    async def forget_received_before(
        self, moment: datetime, limit: int, since: datetime | None = None
    ) -> ForgottenIds:
        old = sorted(
            (at, m) for m, at in self._items.items() if at < moment and (since is None or at >= since)
        )
        old = old[:limit]
        for _, message_id in old:
            self._items.remove(message_id)
        return ForgottenIds(len(old), old[-1][0] if old else None)
