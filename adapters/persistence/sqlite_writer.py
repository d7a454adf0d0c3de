"""SQLite's writer: a thread of its own that runs a whole transaction in one hop.

Through aiosqlite every statement is three or four hops to its thread and back, each waking a
thread and contending for the GIL with the HTTP work (docs/decisions/0003). Here the body of a
transaction goes to the writer's thread once, runs there on a synchronous connection with the usual
repositories, and its result comes back once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, Executable, Result, ScalarResult
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.engine import create_blocking_sqlite_engine
from adapters.persistence.token_cipher import TokenCipher
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.ports.transaction_runner import TransactionRunner
from application.ports.unit_of_work import UnitOfWork
from application.unit_of_work_runner import UnitOfWorkRunner

T = TypeVar("T")
P = ParamSpec("P")


class SqliteWriter(TransactionRunner):
    """Runs each transaction body on the writer's thread, in its own event loop, one body after the
    other. The thread starts with the writer; `close` stops it."""

    def __init__(self, url: URL, cipher: TokenCipher) -> None:
        self._engine = create_blocking_sqlite_engine(url)
        sessions = sessionmaker(self._engine, expire_on_commit=False, autoflush=False)
        self._sessions = lambda: BlockingSession(sessions())
        self._cipher = cipher
        # A body that awaited something else would otherwise let the next one begin a second
        # transaction on the same thread, which would then block in SQLite's busy handler.
        self._turns = asyncio.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sqlite-writer", daemon=True)
        self._thread.start()
        # Its units of work block the loop they run on while SQLite works: the writer's own, only.
        self._there = UnitOfWorkRunner(self._unit_of_work)

    @staticmethod
    def serves(url: URL) -> bool:
        """Whether `url` is a SQLite file: another connection would not see an in-memory database."""
        return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")

    def _unit_of_work(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._sessions, self._cipher, self._turns)

    async def run(self, body: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        there = asyncio.run_coroutine_threadsafe(self._there.run(body), self._loop)
        return await asyncio.wrap_future(there)

    def close(self) -> None:
        """Closes the connections on the thread that opened them, then stops the thread."""
        self._loop.call_soon_threadsafe(self._engine.dispose)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class BlockingSession:
    """The `AsyncSession` methods the repositories use, over a synchronous `Session`: each runs to its
    end without suspending, blocking the loop it runs on (the writer's own)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def execute(self, statement: Executable, params: Any = None) -> Result[*tuple[Any, ...]]:
        return self._session.execute(statement, params)

    async def scalars(self, statement: Executable, params: Any = None) -> ScalarResult[Any]:
        return self._session.scalars(statement, params)

    async def scalar(self, statement: Executable, params: Any = None) -> Any:
        return self._session.scalar(statement, params)

    async def get(self, entity: type[T], ident: Any) -> T | None:
        return self._session.get(entity, ident)

    def add(self, instance: object) -> None:
        self._session.add(instance)

    async def flush(self) -> None:
        self._session.flush()

    async def run_sync(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return fn(self._session, *args, **kwargs)

    def get_bind(self) -> Engine | Connection:
        return self._session.get_bind()

    def expunge_all(self) -> None:
        self._session.expunge_all()

    async def commit(self) -> None:
        self._session.commit()

    async def rollback(self) -> None:
        self._session.rollback()

    async def close(self) -> None:
        self._session.close()
