"""The SQLAlchemy unit of work: one session, one transaction, rolled back unless committed. Its
repositories (partners, exports, received_messages, outbox, octopus, attempt_counts, attention,
backfills, delivery_reports) flush nothing and commit nothing: the unit of work does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.persistence.attempt_counts import SqlAlchemyAttemptCounts
from adapters.persistence.attention import SqlAlchemyAttentionReads
from adapters.persistence.backfills import SqlAlchemyBackfillRepository
from adapters.persistence.delivery_reports import SqlAlchemyDeliveryReports
from adapters.persistence.errors import translated_errors
from adapters.persistence.exports import SqlAlchemyExportRepository
from adapters.persistence.octopus import SqlAlchemyOctopusConnections, SqlAlchemyOctopusDossierLists
from adapters.persistence.outbox import SqlAlchemyOutbox
from adapters.persistence.partners import SqlAlchemyClientIntegrationRepository, SqlAlchemyExtensionRepository
from adapters.persistence.received_messages import SqlAlchemyReceivedMessages
from adapters.persistence.session import RepositorySession
from adapters.persistence.token_cipher import TokenCipher
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(
        self, sessions: Callable[[], RepositorySession], cipher: TokenCipher, writer: asyncio.Lock | None
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._writer = writer

    async def __aenter__(self) -> Self:
        if self._writer is not None:
            await self._writer.acquire()
        self._session = self._sessions()
        self.extensions = SqlAlchemyExtensionRepository(self._session)
        self.integrations = SqlAlchemyClientIntegrationRepository(self._session)
        self.exports = SqlAlchemyExportRepository(self._session)
        self.messages = SqlAlchemyReceivedMessages(self._session)
        self.outbox = SqlAlchemyOutbox(self._session)
        self.octopus = SqlAlchemyOctopusConnections(self._session, self._cipher)
        self.dossier_lists = SqlAlchemyOctopusDossierLists(self._session)
        self.attempt_counts = SqlAlchemyAttemptCounts(self._session)
        self.attention = SqlAlchemyAttentionReads(self._session)
        self.backfills = SqlAlchemyBackfillRepository(self._session)
        self.delivery_reports = SqlAlchemyDeliveryReports(self._session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._session.expunge_all()  # entities stay readable after the block, as loaded or changed
            await self._session.rollback()
        finally:
            await self._session.close()
            if self._writer is not None:
                self._writer.release()
        if isinstance(exc, SQLAlchemyError | OSError | TimeoutError):
            with translated_errors():
                raise exc

    async def commit(self) -> None:
        with translated_errors():
            await self._session.commit()


class SqlAlchemyUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes a fresh unit of work per use case call.

    On SQLite every transaction takes the database's one write lock (`BEGIN IMMEDIATE`); units of work
    of the same process then queue on an asyncio lock instead, which wakes the next one at once where
    SQLite's busy handler would sleep and poll.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher
        bind: AsyncEngine | None = sessions.kw.get("bind")
        dialect = bind.dialect.name if bind is not None else None
        self._writer = asyncio.Lock() if dialect == "sqlite" else None

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._sessions, self._cipher, self._writer)
