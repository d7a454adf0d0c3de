"""Units of work over the fake, SQLite (through aiosqlite, and through the writer's thread) and
PostgreSQL, so one contract suite runs against all four."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from adapters.memory.unit_of_work import InMemoryUnitOfWorkFactory
from adapters.persistence.engine import create_engine, session_factory
from adapters.persistence.mapping import start_mappers
from adapters.persistence.sqlite_writer import SqliteWriter
from adapters.persistence.token_cipher import TokenCipher
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.ports.unit_of_work import UnitOfWorkFactory
from sandbox.world import empty_database
from tests.persistence.blocks_in_run import BlocksInRun

SECRET = "a test secret key"


async def sqlalchemy_units(url: str, *, truncate: bool) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:
    start_mappers()
    engine = create_engine(url)
    if truncate:
        await empty_database(url)
    try:
        yield SqlAlchemyUnitOfWorkFactory(session_factory(engine), TokenCipher(SECRET))
    finally:
        await engine.dispose()


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
