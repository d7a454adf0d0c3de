"""Integrity errors by name: only the received-message key and the export's key mean "recorded
first" (a repeat, R11); any other refusal of the database (here a foreign key) fails the message,
records nothing of it, and costs the other messages of its batch nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.persistence.errors import translated_errors
from application.errors import Conflict, NotStored
from application.ports.octopus import ConnectAttempt, OctopusTokens
from application.ports.repositories import ExportQuery
from application.ports.transaction_runner import TransactionRunner
from application.ports.unit_of_work import UnitOfWorkFactory
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.receive_message import MessageOutcome, ReceiveDocumentMessage
from tests.adapters.persistence.blocks_in_run import BlocksInRun
from tests.adapters.persistence.conftest import sqlalchemy_units, sqlite_writer
from tests.adapters.persistence.lost_exports import exports_lost
from tests.adapters.persistence.test_concurrent_receive import _prepare
from tests.builders import a_message
from tests.conftest import FixedClock

Database = tuple[str, UnitOfWorkFactory, TransactionRunner]


@pytest.fixture(params=["sqlite", "sqlite-writer", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A database's URL, units of work on it, and where intake runs its transactions there."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        async for units in sqlalchemy_units(url, truncate=True):
            yield url, units, UnitOfWorkRunner(units)
        return
    url = request.getfixturevalue("sqlite_url")
    if request.param == "sqlite-writer":
        async for writer in sqlite_writer(url):
            yield url, BlocksInRun(writer), writer
        return
    async for units in sqlalchemy_units(url, truncate=False):
        yield url, units, UnitOfWorkRunner(units)


async def _stored(units: UnitOfWorkFactory) -> tuple[list[str], int]:
    async with units() as uow:
        exports = await uow.exports.list(ExportQuery())
        return sorted(e.document_id for e in exports), await uow.outbox.depth()


async def test_a_batch_with_a_message_the_database_refuses_stores_the_others(
    database: Database, clock: FixedClock
) -> None:
    url, units, transactions = database
    await _prepare(units, clock)
    receive = ReceiveDocumentMessage(transactions, clock)
    at = clock.advance(minutes=1)
    batch = [a_message(at, message_id=f"m-{d}", document=d) for d in ("doc-1", "doc-bad", "doc-2")]
    async with exports_lost(url, "doc-bad") as cause:
        results = await asyncio.gather(*(receive(m) for m in batch), return_exceptions=True)
        assert [r.outcome if isinstance(r, MessageOutcome) else type(r) for r in results] == [
            "exported",
            NotStored,
            "exported",
        ]
        assert await _stored(units) == (["doc-1", "doc-2"], 2)
        with pytest.raises(NotStored, match=r"(?i)foreign key"):  # not a repeat: it fails again
            await receive(batch[1])
        await cause.remove()
        assert (await receive(batch[1])).outcome == "exported"
    assert (await receive(batch[1])).reason == "repeat"
    assert (await receive(a_message(at, message_id="m-again", document="doc-bad"))).reason == "repeat"
    assert await _stored(units) == (["doc-1", "doc-2", "doc-bad"], 3)


async def _one_row_in_each_table(database: Database, clock: FixedClock) -> None:
    _, units, transactions = database
    await _prepare(units, clock)
    await ReceiveDocumentMessage(transactions, clock)(a_message(clock.advance(minutes=1)))
    async with units() as uow:
        await uow.octopus.save_tokens("p1", OctopusTokens("access", "refresh", clock.now()))
        await uow.octopus.begin(ConnectAttempt("state", "p1", "verifier", "https://b.example/", clock.now()))
        await uow.dossier_lists.lock("p1")
        await uow.commit()


@pytest.mark.parametrize(
    ("statement", "told_as"),
    [
        ("INSERT INTO received_messages SELECT * FROM received_messages", Conflict),
        ("INSERT INTO extensions SELECT * FROM extensions", Conflict),
        ("INSERT INTO client_integrations SELECT * FROM client_integrations", Conflict),
        ("INSERT INTO octopus_tokens SELECT * FROM octopus_tokens", Conflict),
        ("INSERT INTO outbox SELECT * FROM outbox", NotStored),
        ("INSERT INTO connect_attempts SELECT * FROM connect_attempts", NotStored),
        ("INSERT INTO octopus_dossier_lists SELECT * FROM octopus_dossier_lists", NotStored),
        ("INSERT INTO received_messages (message_id) VALUES ('no-time')", NotStored),  # NOT NULL
        (
            "INSERT INTO outbox (export_id, available_at) SELECT 'no-export', available_at FROM outbox",
            NotStored,
        ),
    ],
)
async def test_each_refusal_of_the_database_is_told_by_the_constraint_at_fault(
    database: Database, clock: FixedClock, statement: str, told_as: type[Exception]
) -> None:
    """A key of one thing taken is that thing recorded first (`Conflict`); anything else the database
    refuses is `NotStored`, in the driver's words and without the statement."""
    url = database[0]
    await _one_row_in_each_table(database, clock)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            if url.startswith("sqlite"):
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            with pytest.raises(told_as) as raised, translated_errors():
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()
    assert "INSERT" not in raised.value.args[0]
