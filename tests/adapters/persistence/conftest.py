"""Units of work over the fake, SQLite (through aiosqlite, and through the writer's thread) and
PostgreSQL, so one contract suite runs against all four; and each delivery ledger beside the units
of work it shares a database with, so one contract suite runs against them all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory.delivery_ledger import InMemoryDeliveryLedger
from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.persistence.engine import create_engine, session_factory
from adapters.persistence.mapping import start_mappers
from adapters.persistence.postgres_ledger import PostgresDeliveryLedger
from adapters.persistence.sqlite_writer import SqliteWriter
from adapters.persistence.token_cipher import TokenCipher
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from adapters.persistence.unit_of_work_ledger import UnitOfWorkDeliveryLedger
from application.ports.delivery_ledger import DeliveryLedger
from application.ports.unit_of_work import UnitOfWorkFactory
from sandbox.world import empty_database
from tests.adapters.persistence.blocks_in_run import BlocksInRun

SECRET = "a test secret key"


async def sqlalchemy_engine(url: str, *, truncate: bool) -> AsyncIterator[AsyncEngine]:
    start_mappers()
    engine = create_engine(url)
    if truncate:
        await empty_database(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def units_on(engine: AsyncEngine) -> SqlAlchemyUnitOfWorkFactory:
    return SqlAlchemyUnitOfWorkFactory(session_factory(engine), TokenCipher(SECRET))


async def sqlalchemy_units(url: str, *, truncate: bool) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:
    async for engine in sqlalchemy_engine(url, truncate=truncate):
        yield units_on(engine)


async def sqlite_writer(url: str) -> AsyncIterator[SqliteWriter]:
    start_mappers()
    writer = SqliteWriter(make_url(url), TokenCipher(SECRET))
    try:
        yield writer
    finally:
        writer.close()


@pytest.fixture(
    params=["memory", "sqlite", "sqlite-writer", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def units(request: pytest.FixtureRequest) -> AsyncIterator[UnitOfWorkFactory]:
    if request.param == "memory":
        yield InMemoryUnitOfWorkFactory()
    elif request.param == "sqlite":
        async for factory in sqlalchemy_units(request.getfixturevalue("sqlite_url"), truncate=False):
            yield factory
    elif request.param == "sqlite-writer":  # each `async with units()` block is one `run`
        async for writer in sqlite_writer(request.getfixturevalue("sqlite_url")):
            yield BlocksInRun(writer)
    else:
        async for factory in sqlalchemy_units(request.getfixturevalue("postgres_url"), truncate=True):
            yield factory


class Books(NamedTuple):
    """A delivery ledger, and units of work on the same database to set up and look."""

    units: UnitOfWorkFactory
    ledger: DeliveryLedger


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres-units", marks=pytest.mark.postgres),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
async def books(request: pytest.FixtureRequest) -> AsyncIterator[Books]:
    """Each ledger: the fake's, through the unit of work (SQLite's, and any database's), and
    PostgreSQL's single statements."""
    if request.param == "memory":
        units = InMemoryUnitOfWorkFactory()
        yield Books(units, InMemoryDeliveryLedger(units.store))
        return
    on_postgres = request.param.startswith("postgres")
    url = request.getfixturevalue("postgres_url" if on_postgres else "sqlite_url")
    async for engine in sqlalchemy_engine(url, truncate=on_postgres):
        units = units_on(engine)
        ledger = (
            PostgresDeliveryLedger(engine) if request.param == "postgres" else UnitOfWorkDeliveryLedger(units)
        )
        yield Books(units, ledger)
