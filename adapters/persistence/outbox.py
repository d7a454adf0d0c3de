"""The SQLAlchemy outbox: exports waiting for a worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import Delete, Dialect, Update, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

from adapters.persistence import tables
from adapters.persistence.dialects import dialect_of, upsert_in
from adapters.persistence.driver import DriverWrite
from adapters.persistence.errors import translated_errors
from adapters.persistence.session import RepositorySession
from application.ports.repositories import Outbox, lane_of
from domain.export import ExportOrigin


# Built once rather than for each batch of messages: building it cost about as much as executing it.
@cache
def _outbox_upsert(dialect: str) -> SqliteInsert | PostgresqlInsert:
    statement = upsert_in(dialect)(tables.outbox)
    return statement.on_conflict_do_update(
        index_elements=[tables.outbox.c.export_id], set_={"available_at": statement.excluded.available_at}
    )


@cache
def _put(dialect: Dialect) -> DriverWrite:
    return DriverWrite.of(_outbox_upsert(dialect.name), ("export_id", "available_at", "lane"), dialect)


# Built once, as `_outbox_upsert`: the worker claims, then removes or reschedules, for every export,
# and building these statements cost about a tenth of recording an outcome.
@cache
def _claim() -> Update:
    """The due rows are picked, locked and moved to the end of the lease."""
    c = tables.outbox.c
    due = (
        select(c.export_id)
        .where(c.available_at <= bindparam("now"))
        .order_by(c.lane, c.available_at)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(tables.outbox)
        .where(c.export_id.in_(due.scalar_subquery()))
        .values(available_at=bindparam("lease_until"))
        .returning(c.export_id)
    )


@cache
def _reschedule() -> Update:
    c = tables.outbox.c
    return update(tables.outbox).where(c.export_id == bindparam("export"))


@cache
def _remove() -> Delete:
    return delete(tables.outbox).where(tables.outbox.c.export_id == bindparam("export"))


class SqlAlchemyOutbox(Outbox):
    """On PostgreSQL, `claim` skips rows another worker has locked; on SQLite, `BEGIN IMMEDIATE`
    already makes each claim the only writer."""

    def __init__(self, session: RepositorySession) -> None:
        self._session = session

    async def put(self, export_id: str, available_at: datetime) -> None:
        await self.put_many([export_id], available_at)

    async def put_many(
        self, export_ids: Sequence[str], available_at: datetime, origin: ExportOrigin = ExportOrigin.EVENT
    ) -> None:
        if not export_ids:
            return
        with translated_errors():
            await self._session.flush()  # the exports' rows must exist before outbox rows point at them
        write, lane = _put(dialect_of(self._session)), lane_of(origin)
        await write.many(self._session, [(export_id, available_at, lane) for export_id in export_ids])

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> Sequence[str]:
        """One statement (`_claim`)."""
        parameters = {"now": now, "lease_until": lease_until, "limit": limit}
        return (await self._session.scalars(_claim(), parameters)).all()

    async def reschedule(self, export_id: str, available_at: datetime) -> None:
        await self._session.execute(_reschedule(), {"export": export_id, "available_at": available_at})

    async def remove(self, export_id: str) -> None:
        await self._session.execute(_remove(), {"export": export_id})

    async def depth(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(tables.outbox)) or 0)
