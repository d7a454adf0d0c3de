"""The SQLAlchemy log of the Banqup messages handled (R11)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.sql.dml import ReturningInsert

from adapters.persistence import tables
from adapters.persistence.dialects import dialect_name, upsert_in
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession


# Built once rather than for each batch of messages: building it cost about as much as executing it.
@cache
def _new_message_ids(dialect: str) -> ReturningInsert[str]:
    table = tables.received_messages
    return (
        upsert_in(dialect)(table)
        .on_conflict_do_nothing(index_elements=[table.c.message_id])
        .returning(table.c.message_id)
    )


class SqlAlchemyReceivedMessages:
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def record(self, message_ids: Collection[str], received_at: datetime) -> set[str]:
        """One INSERT … ON CONFLICT DO NOTHING RETURNING: the ids it returns are the new ones. On
        PostgreSQL it waits for a transaction inserting the same id, and leaves the id out if that
        one commits."""
        if not message_ids:
            return set()
        rows = [{"message_id": m, "received_at": received_at} for m in dict.fromkeys(message_ids)]
        with translated_errors():
            return set(await self._session.scalars(_new_message_ids(dialect_name(self._session)), rows))

    async def forget_received_before(self, moment: datetime, limit: int) -> int:
        c = tables.received_messages.c
        oldest = select(c.message_id).where(c.received_at < moment).order_by(c.received_at).limit(limit)
        forgotten = delete(tables.received_messages).where(c.message_id.in_(oldest.scalar_subquery()))
        with translated_errors():
            result = await self._session.execute(forgotten)
        return int(result.rowcount)  # type: ignore[attr-defined]
