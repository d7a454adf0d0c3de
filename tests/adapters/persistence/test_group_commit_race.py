"""Group commit under a race: two receivers (separate engines, as two processes would have) each get
the same documents at once, many per batch, under different message ids. On PostgreSQL a batch
that loses goes again one message at a time; on SQLite `BEGIN IMMEDIATE` makes batches take turns,
whether through aiosqlite or on the writer's thread.
Either way each document is exported exactly once (R11)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest

from application.ports.repositories import ExportQuery
from application.ports.transaction_runner import TransactionRunner
from application.unit_of_work_runner import UnitOfWorkRunner
from application.use_cases.receive_message import ReceiveDocumentMessage
from tests.adapters.persistence.conftest import sqlalchemy_units, sqlite_writer
from tests.adapters.persistence.test_concurrent_receive import _prepare
from tests.builders import a_message
from tests.conftest import FixedClock

DOCUMENTS = 40


async def _another_engine(url: str) -> AsyncIterator[TransactionRunner]:
    async for units in sqlalchemy_units(url, truncate=False):
        yield UnitOfWorkRunner(units)


async def _race(
    url: str,
    truncate: bool,
    clock: FixedClock,
    other: Callable[[str], AsyncIterator[TransactionRunner]] = _another_engine,
) -> None:
    async for first in sqlalchemy_units(url, truncate=truncate):
        async for second in other(url):
            await _prepare(first, clock)
            await second.run(lambda uow: uow.outbox.depth())  # connected, so that neither starts late
            at = clock.advance(minutes=1)
            receivers = (
                ReceiveDocumentMessage(UnitOfWorkRunner(first), clock),
                ReceiveDocumentMessage(second, clock),
            )
            results = await asyncio.gather(
                *(
                    receive(a_message(at, message_id=f"m{side}-{n}", document=f"doc-{n}"))
                    for n in range(DOCUMENTS)
                    for side, receive in enumerate(receivers)
                ),
                *(receive(a_message(at, message_id="shared", document="doc-0")) for receive in receivers),
            )
            assert Counter(f"{r.outcome}:{r.reason}" for r in results) == {
                "exported:None": DOCUMENTS,
                "ignored:repeat": DOCUMENTS + 2,
            }
            async with first() as uow:
                exports = await uow.exports.list(ExportQuery(limit=1000))
                assert await uow.outbox.depth() == DOCUMENTS
            assert sorted(e.document_id for e in exports) == sorted(f"doc-{n}" for n in range(DOCUMENTS))


@pytest.mark.postgres
async def test_postgres_exports_each_document_once(postgres_url: str, clock: FixedClock) -> None:
    await _race(postgres_url, True, clock)


async def test_sqlite_exports_each_document_once(sqlite_url: str, clock: FixedClock) -> None:
    await _race(sqlite_url, False, clock)


async def test_sqlite_writer_and_another_process_export_each_document_once(
    sqlite_url: str, clock: FixedClock
) -> None:
    """The writer's thread against aiosqlite, each with an engine of its own: a batch of each runs in
    one transaction of its own (`run`), and `BEGIN IMMEDIATE` makes them take turns."""
    await _race(sqlite_url, False, clock, sqlite_writer)
