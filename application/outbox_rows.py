"""What an attempt does to its export's outbox row."""

from __future__ import annotations

from datetime import datetime

from application.ports.repositories import Outbox


async def take_off_or_put_back(outbox: Outbox, export_id: str, due_again: datetime | None) -> None:
    """The export's outbox row after an attempt: gone when the export is settled, else due again."""
    if due_again is None:
        await outbox.remove(export_id)
    else:
        await outbox.reschedule(export_id, due_again)
