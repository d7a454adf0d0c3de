"""The SQLAlchemy log of the Banqup messages handled (R11)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Dialect,
    Integer,
    String,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.dml import ReturningInsert

from adapters.persistence import tables
from adapters.persistence.dialects import dialect_of, upsert_in
from adapters.persistence.driver import DriverWrite
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.ports.repositories import ReceivedMessages

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

    async def forget_received_before(self, moment: datetime, limit: int) -> int:
        """Deletes the `limit` oldest ids received before `moment`, found on the `received_at` index:
        a batch costs the same however large the table (see `oldest_ids_deleted`)."""
        with translated_errors():
            result = await self._session.execute(
                oldest_ids_deleted(dialect_of(self._session).name),
                {"moment": moment, "limit": limit},
            )
        return int(result.rowcount)  # type: ignore[attr-defined]


@cache
def oldest_ids_deleted(dialect: str) -> Delete:
    """The DELETE of the `:limit` ids received first before `:moment`.

    `message_id IN (SELECT …)` lets PostgreSQL's planner pick a hash semi join that scans the whole
    table for every batch: quadratic over a backlog. Here the subquery is an ARRAY, computed once
    (an InitPlan reading at most `:limit` entries of the `received_at` index), whose ids are then
    found on the primary key. SQLite deletes by rowid, which it looks up directly.
    """
    table = tables.received_messages
    c = table.c
    if dialect == "postgresql":
        key: ColumnElement[Any] = c.message_id
        oldest = select(key)
    else:
        key = literal_column("rowid")
        oldest = select(key).select_from(table)
    oldest = oldest.where(c.received_at < bindparam("moment")).order_by(c.received_at)
    oldest = oldest.limit(bindparam("limit", type_=Integer))
    if dialect == "postgresql":
        batch = func.array(oldest.scalar_subquery(), type_=postgresql.ARRAY(String))
        return delete(table).where(key == any_(batch))
    return delete(table).where(key.in_(oldest.scalar_subquery()))
