"""Engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_SECONDS = 30


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine for `url`; SQLite's is configured by `_configure_sqlite`."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, echo=echo, pool_size=10, pool_recycle=1800)
    if parsed.database and parsed.database != ":memory:":
        _private_file(Path(parsed.database))
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_SECONDS})
    _configure_sqlite(engine.sync_engine)
    return engine


def _private_file(database: Path) -> None:
    """Makes the database file, when it is new, readable by its owner only (SQLite gives its journal
    and WAL files the same mode), in a new folder of the owner's only."""
    database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(database, os.O_RDONLY | os.O_CREAT, 0o600))  # an existing file is left as it is


def create_blocking_sqlite_engine(url: URL) -> Engine:
    """A synchronous engine (the standard library's driver) on the same SQLite database as `url`,
    configured the same way."""
    engine = sqlalchemy.create_engine(
        url.set(drivername="sqlite+pysqlite"), connect_args={"timeout": SQLITE_BUSY_SECONDS}
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE`, so that two processes on one file
    wait for each other instead of failing or reading stale rows.

    SQLite syncs the log to disk at every commit (`synchronous=FULL`, as PostgreSQL does by
    default): a message answered 202 survives a power cut, not only a crash of octobridge. In WAL
    mode the default `NORMAL` may lose the last commits then. Intake pays for it once a batch."""
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "begin", _begin_immediate)


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=FULL",
        f"busy_timeout={SQLITE_BUSY_SECONDS * 1000}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
