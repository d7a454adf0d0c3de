"""What differs between SQLite and PostgreSQL for the repositories: the INSERT that knows ON CONFLICT."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Dialect, Table
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.persistence.session import RepositorySession


def upsert_for(session: RepositorySession) -> Callable[[Table], SqliteInsert | PostgresqlInsert]:
    """The INSERT that knows ON CONFLICT, in the session's dialect (SQLite and PostgreSQL both have it)."""
    return upsert_in(dialect_of(session).name)


def upsert_in(dialect: str) -> Callable[[Table], SqliteInsert | PostgresqlInsert]:
    return sqlite_insert if dialect == "sqlite" else postgresql_insert


def dialect_of(session: RepositorySession) -> Dialect:
    """Without a round trip to the session's greenlet, which `connection()` would take."""
    return session.get_bind().dialect
