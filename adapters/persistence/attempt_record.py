"""An attempt recorded in one statement on PostgreSQL: the export's UPDATE and its outbox row's
DELETE (or reschedule) as data-modifying CTEs, sent straight to asyncpg outside any explicit
transaction, so that the statement is a transaction of its own.

Through a unit of work the same is four round trips (BEGIN, two statements, COMMIT), each through
SQLAlchemy's execution path: about 460 µs of the worker's CPU an export here, against about 120 µs
(docs/decisions/0004)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import asyncpg
from sqlalchemy import Dialect, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import tables
from adapters.persistence.driver import DriverRead
from adapters.persistence.errors import translated_errors
from adapters.persistence.exports import CHANGING, ExportChange
from application.errors import Unavailable
from domain.export import Export


@cache
def _recorded(dialect: Dialect, due_again: bool) -> DriverRead:
    """How many exports the UPDATE changed (0 or 1); the outbox row is touched only if it did."""
    x, o = tables.exports.c, tables.outbox.c
    columns = (*CHANGING, "version")
    changed = (
        update(tables.exports)
        .where(x.id == bindparam("export_id"), x.version == bindparam("read_version"))
        .values({x[name]: bindparam(name, type_=x[name].type) for name in columns})
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


class OneStatementAttemptRecord:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def __call__(self, export: Export, due_again: datetime | None) -> None:
        change = ExportChange.of(export)
        statement = _recorded(self._engine.dialect, due_again is not None)
        parameters = statement.parameters_of(change.parameters() | {"due_again": due_again})
        with translated_errors():
            async with self._engine.connect() as connection:
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None  # a connection checked out of the pool is open
                try:
                    changed = await driver.fetchval(statement.sql, *parameters)
                except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    raise Unavailable(f"the database refused the attempt's record: {exc}") from exc
        change.written(changed)
