"""The SQLAlchemy log of the Banqup messages handled (R11)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache

from sqlalchemy import Delete, Dialect, bindparam
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert

from adapters.persistence import tables
from adapters.persistence.batch_delete import batch_deleted
from adapters.persistence.dialects import dialect_of, upsert_in
from adapters.persistence.driver import DriverWrite
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.ports.repositories import ForgottenIds, ReceivedMessages

# Ids recorded a statement at most (a batch of messages is 100 at most): one statement per count.
IDS_A_STATEMENT = 100


# Built once rather than for each batch of messages: building it cost about as much as executing it.
@cache
def _new_message_ids(dialect: str) -> ReturningInsert[str]:
    table = tables.received_messages
    return (
        upsert_in(dialect)(table)
        .on_conflict_do_nothing(index_elements=[table.c.message_id])
        .returning(table.c.message_id)
    )


@cache
def _record(dialect: Dialect, count: int) -> DriverWrite:
    """`_new_message_ids` for `count` ids, in one multi-row VALUES (executemany returns no rows)."""
    columns = ("message_id", "received_at")
    statement = _new_message_ids(dialect.name).values([dict.fromkeys(columns)] * count)
    return DriverWrite.of(statement, columns, dialect)


class SqlAlchemyReceivedMessages(ReceivedMessages):
    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def record(self, message_ids: Collection[str], received_at: datetime) -> set[str]:
        """One INSERT … ON CONFLICT DO NOTHING RETURNING: the ids it returns are the new ones. On
        PostgreSQL it waits for a transaction inserting the same id, and leaves the id out if that
        one commits."""
        ids = list(dict.fromkeys(message_ids))
        dialect = dialect_of(self._session)
        recorded: set[str] = set()
        for start in range(0, len(ids), IDS_A_STATEMENT):
            chunk = ids[start : start + IDS_A_STATEMENT]
            values = [value for message_id in chunk for value in (message_id, received_at)]
            result = await _record(dialect, len(chunk)).one(self._session, values)
            recorded.update(message_id for (message_id,) in result)
        return recorded

    async def forget_received_before(
        self, moment: datetime, limit: int, since: datetime | None = None
    ) -> ForgottenIds:
        """Deletes the `limit` oldest ids received before `moment` (and not before `since`), found on
        the `received_at` index: a batch costs the same however large the table, and however many
        batches came before it (see `oldest_ids_deleted`)."""
        statement = oldest_ids_deleted(dialect_of(self._session).name, since is not None)
        with translated_errors():
            result = await self._session.execute(
                statement, {"moment": moment, "since": since, "limit": limit}
            )
            received = result.scalars().all()
        return ForgottenIds(len(received), max(received, default=None))


@cache
def oldest_ids_deleted(dialect: str, since: bool) -> ReturningDelete[tuple[datetime]]:
    """The DELETE of the `:limit` ids received first before `:moment`, along the `received_at` index,
    with their times. With `since`, the walk starts at `:since`: the entries of the ids earlier batches
    deleted stay in the index until vacuum clears them, and a batch that started from the oldest
    would step over all of them (quadratic over a backlog)."""
    c = tables.received_messages.c
    found = c.received_at < bindparam("moment")
    if since:
        found = found & (c.received_at >= bindparam("since"))
    statement: Delete = batch_deleted(dialect, tables.received_messages, c.message_id, found, c.received_at)
    return statement.returning(c.received_at)
