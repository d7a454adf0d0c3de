"""The delivery ledger on PostgreSQL: the worker's two frequent transactions as one statement
each, sent straight to asyncpg outside any explicit transaction, so that each statement is a
transaction of its own: a claim (the outbox rows leased, and their exports read) and an attempt's
record (the export's UPDATE, and its outbox row's DELETE or reschedule, as data-modifying CTEs).

Through a unit of work, each is four round trips (BEGIN, two statements, COMMIT) through
SQLAlchemy's execution path and, for the claim, the ORM's loading: recording cost about 460 µs of
the worker's CPU an export here, and 120 µs this way (docs/decisions/0004). The exports a claim
reads are built from their rows, as the ORM would load them, with the version they were read at."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import Dialect, Integer, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm.attributes import set_committed_value

from adapters.persistence import tables
from adapters.persistence.driver import DriverRead
from adapters.persistence.errors import translated_errors
from adapters.persistence.exports import CHANGING, ExportChange
from application.errors import Unavailable
from application.ports.delivery_ledger import DeliveryLedger
from domain.export import Export, ExportStatus

_EXPORT_COLUMNS = tuple(c.key for c in tables.exports.c)


@cache
def _claimed(dialect: Dialect) -> DriverRead:
    """The rows of the exports whose outbox rows were due and are now leased; rows another worker
    holds are skipped, not waited for."""
    o = tables.outbox.c
    due = (
        select(o.export_id)
        .where(o.available_at <= bindparam("now", type_=o.available_at.type))
        .order_by(o.lane, o.available_at)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    leased = (
        update(tables.outbox)
        .where(o.export_id.in_(due.scalar_subquery()))
        .values(available_at=bindparam("lease_until", type_=o.available_at.type))
        .returning(o.export_id)
        .cte("leased")
    )
    read = select(tables.exports).join(leased, tables.exports.c.id == leased.c.export_id)
    return DriverRead.of(read, dialect)


@cache
def _recorded(dialect: Dialect, due_again: bool) -> DriverRead:
    """How many exports the UPDATE changed (0 or 1); the outbox row is touched only if it did."""
    x, o = tables.exports.c, tables.outbox.c
    changed = (
        update(tables.exports)
        .where(x.id == bindparam("export_id"), x.version == bindparam("read_version"))
        .values({x[name]: bindparam(name, type_=x[name].type) for name in (*CHANGING, "version")})
        .returning(x.id)
        .cte("changed")
    )
    its_row = o.export_id.in_(select(changed.c.id))
    outbox = (
        update(tables.outbox)
        .where(its_row)
        .values(available_at=bindparam("due_again", type_=o.available_at.type))
        if due_again
        else delete(tables.outbox).where(its_row)
    ).cte("outbox_row")
    return DriverRead.of(select(func.count()).select_from(changed).add_cte(outbox), dialect)


def _export(row: Sequence[Any]) -> Export:
    """An export as the ORM would have loaded it, at the version read."""
    values = dict(zip(_EXPORT_COLUMNS, row, strict=True))
    version = values.pop("version")
    export = Export(**values)
    set_committed_value(export, "version", version)
    return export


class PostgresDeliveryLedger(DeliveryLedger):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Export]:
        statement = _claimed(self._engine.dialect)
        values = {"now": now, "limit": limit, "lease_until": lease_until}
        async with self._driver() as driver:
            rows = await driver.fetch(statement.sql, *statement.parameters_of(values))
            exports = [_export(statement.result_of(row)) for row in rows]
            settled = [e.id for e in exports if e.status is not ExportStatus.QUEUED]
            if settled:  # rare: an export settled elsewhere while its row was still due
                await driver.execute("DELETE FROM outbox WHERE export_id = ANY($1::varchar[])", settled)
        return [e for e in exports if e.status is ExportStatus.QUEUED]

    async def record(self, export: Export, due_again: datetime | None) -> None:
        change = ExportChange.of(export)
        statement = _recorded(self._engine.dialect, due_again is not None)
        parameters = statement.parameters_of(change.parameters() | {"due_again": due_again})
        async with self._driver() as driver:
            changed = await driver.fetchval(statement.sql, *parameters)
        change.written(changed)

    @asynccontextmanager
    async def _driver(self) -> AsyncIterator[Any]:
        """asyncpg's connection of one pooled connection, in autocommit; its errors as `Unavailable`."""
        with translated_errors():
            async with self._engine.connect() as connection:
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None  # a connection checked out of the pool is open
                try:
                    yield driver
                except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    raise Unavailable(f"the database refused the worker's statement: {exc}") from exc
