"""Rows written through the driver (adapters/persistence/driver.py) are stored exactly as SQLAlchemy
stores them: the same text in SQLite, the same values in PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Table, text

from adapters.persistence import tables
from adapters.persistence.engine import create_engine
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.export import ExportStatus
from tests.adapters.persistence.conftest import sqlalchemy_units
from tests.builders import an_export

# Whole seconds: a formatter that drops zero microseconds would store other text.
WHOLE_SECOND = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def units(url: str) -> AsyncIterator[UnitOfWorkFactory]:
    async for factory in sqlalchemy_units(url, truncate=url.startswith("postgresql")):
        yield factory


async def through_core(url: str, table: Table, row: dict[str, Any]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(table.insert(), row)
    finally:
        await engine.dispose()


async def stored(url: str, table: Table, key: str) -> dict[Any, list[Any]]:
    """The rows by `key` as the database holds them (in SQLite, text no type of SQLAlchemy's read),
    without the key."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(text(f"SELECT * FROM {table.name}"))).mappings()
            return {row[key]: [v for k, v in row.items() if k != key] for row in rows}
    finally:
        await engine.dispose()


async def assert_stored_alike(url: str, by_orm: str, by_driver: str) -> None:
    """The two exports' rows are the same but for their ids and clients (c1 and c2)."""
    exports = await stored(url, tables.exports, "id")
    client = [c.key for c in tables.exports.c if c.key != "id"].index("client_id")
    assert (exports[by_orm].pop(client), exports[by_driver].pop(client)) == ("c1", "c2")
    assert exports[by_driver] == exports[by_orm]


async def test_exports_and_their_outbox_rows_are_stored_as_sqlalchemy_stores_them(
    units: UnitOfWorkFactory, url: str
) -> None:
    by_orm, by_driver = (an_export(WHOLE_SECOND, document="d", status=ExportStatus.SKIPPED) for _ in "12")
    by_driver.client_id = "c2"  # another key
    async with units() as uow:
        await uow.exports.add(by_orm)
        await uow.exports.add_many([by_driver])
        await uow.outbox.put_many([by_driver.id], WHOLE_SECOND)
        await uow.commit()
    await through_core(url, tables.outbox, {"export_id": by_orm.id, "available_at": WHOLE_SECOND})
    await assert_stored_alike(url, by_orm.id, by_driver.id)
    outbox = await stored(url, tables.outbox, "export_id")
    assert outbox[by_driver.id] == outbox[by_orm.id]


async def test_message_ids_are_stored_as_sqlalchemy_stores_them(units: UnitOfWorkFactory, url: str) -> None:
    async with units() as uow:
        assert await uow.messages.record(["m-1", "m-2", "m-1"], WHOLE_SECOND) == {"m-1", "m-2"}
        await uow.commit()
    await through_core(url, tables.received_messages, {"message_id": "m-0", "received_at": WHOLE_SECOND})
    messages = await stored(url, tables.received_messages, "message_id")
    assert messages["m-1"] == messages["m-2"] == messages["m-0"]


async def test_an_export_updated_through_the_driver_is_stored_as_the_orm_stores_it(
    units: UnitOfWorkFactory, url: str
) -> None:
    by_orm, by_driver = (an_export(WHOLE_SECOND, document="d") for _ in "12")
    by_driver.client_id = "c2"
    async with units() as uow:
        await uow.exports.add_many([by_orm, by_driver])
        await uow.commit()
    async with units() as uow:
        read = await uow.exports.get_many([by_orm.id, by_driver.id])
    later = WHOLE_SECOND.replace(minute=5)
    async with units() as uow:
        changed = await uow.exports.get(by_orm.id)
        assert changed is not None
        changed.delivered(later, "<m@octobridge.example>", "250 ok")
        await uow.commit()  # the ORM's flush
    async with units() as uow:
        read[by_driver.id].delivered(later, "<m@octobridge.example>", "250 ok")
        await uow.exports.update(read[by_driver.id])
        await uow.commit()
    await assert_stored_alike(url, by_orm.id, by_driver.id)
