"""SQLite's writer thread: where a transaction runs, how many at once, and what comes back."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.persistence.sqlite_writer import SqliteWriter
from adapters.persistence.token_cipher import TokenCipher
from application.errors import Unavailable
from application.ports.unit_of_work import UnitOfWork
from entrypoints.container import build_container
from entrypoints.settings import Settings
from tests.adapters.persistence.conftest import SECRET, sqlite_writer
from tests.conftest import FixedClock

TASKS = 40


async def test_a_transaction_runs_on_the_writers_thread_and_its_result_comes_back(
    sqlite_url: str, clock: FixedClock
) -> None:
    async for writer in sqlite_writer(sqlite_url):

        async def transaction(uow: UnitOfWork) -> tuple[int, set[str]]:
            recorded = await uow.messages.record(["m-1"], clock.now())
            await uow.commit()
            return threading.get_ident(), recorded

        thread, recorded = await writer.run(transaction)
        assert thread != threading.get_ident()
        assert recorded == {"m-1"}
    assert _writer_threads() == 0  # closed, joined


async def test_transactions_run_from_many_tasks_record_each_message_id_once(
    sqlite_url: str, clock: FixedClock
) -> None:
    """Each task records its own id and one shared by all, in one `run` each: R11 holds."""
    async for writer in sqlite_writer(sqlite_url):

        def recording(message_id: str) -> Callable[[UnitOfWork], Awaitable[set[str]]]:
            async def transaction(uow: UnitOfWork) -> set[str]:
                recorded = await uow.messages.record([message_id, "shared"], clock.now())
                await asyncio.sleep(0)  # a body that suspends still has the writer to itself
                await uow.commit()
                return recorded

            return transaction

        results = await asyncio.gather(*(writer.run(recording(f"m-{n}")) for n in range(TASKS)))
        counts = Counter(message_id for recorded in results for message_id in recorded)
        assert counts == {"shared": 1} | {f"m-{n}": 1 for n in range(TASKS)}


async def test_a_database_without_the_schema_is_unavailable(tmp_path: Path, clock: FixedClock) -> None:
    writer = SqliteWriter(make_url(f"sqlite+aiosqlite:///{tmp_path}/empty.db"), TokenCipher(SECRET))
    try:

        async def transaction(uow: UnitOfWork) -> set[str]:
            return await uow.messages.record(["m-1"], clock.now())

        with pytest.raises(Unavailable, match="no octobridge schema"):
            await writer.run(transaction)
    finally:
        writer.close()


async def test_the_container_gives_intake_the_writer_on_a_sqlite_file_and_stops_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    container = build_container(Settings(database_url=sqlite_url, var_dir=str(tmp_path / "var")))
    try:
        await container.use_cases.receive_message()
        assert _writer_threads() == 1  # started for intake, and for intake only
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
    assert _writer_threads() == 0


def test_the_writer_serves_sqlite_files_only() -> None:
    assert SqliteWriter.serves(make_url("sqlite+aiosqlite:///var/octobridge.db"))
    assert not SqliteWriter.serves(make_url("sqlite+aiosqlite:///:memory:"))
    assert not SqliteWriter.serves(make_url("postgresql+asyncpg://octobridge@db/octobridge"))


def _writer_threads() -> int:
    return sum(t.name == "sqlite-writer" for t in threading.enumerate())
