"""The SQLAlchemy unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence.errors import translated_errors
from adapters.persistence.repositories import (
    SqlAlchemyClientIntegrationRepository,
    SqlAlchemyExportRepository,
    SqlAlchemyExtensionRepository,
    SqlAlchemyOctopusConnections,
    SqlAlchemyOutbox,
    SqlAlchemyReceivedMessages,
)
from adapters.persistence.token_cipher import TokenCipher


class SqlAlchemyUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.extensions = SqlAlchemyExtensionRepository(self._session)
        self.integrations = SqlAlchemyClientIntegrationRepository(self._session)
        self.exports = SqlAlchemyExportRepository(self._session)
        self.messages = SqlAlchemyReceivedMessages(self._session)
        self.outbox = SqlAlchemyOutbox(self._session)
        self.octopus = SqlAlchemyOctopusConnections(self._session, self._cipher)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._session.expunge_all()  # entities stay readable after the block, as loaded or changed
            await self._session.rollback()
        finally:
            await self._session.close()
        if isinstance(exc, SQLAlchemyError):
            with translated_errors():
                raise exc

    async def commit(self) -> None:
        with translated_errors():
            await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class SqlAlchemyUnitOfWorkFactory:
    """Makes a fresh unit of work per use case call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._sessions, self._cipher)
