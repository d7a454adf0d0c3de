"""Database errors, told as application errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Index, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import (
    DBAPIError,
    EmulatedDBAPIException,
    IntegrityError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm.exc import StaleDataError

from adapters.persistence import tables
from application.errors import Conflict, NotStored, Unavailable

_MISSING_TABLE = ("no such table", "does not exist")

# The keys by which a thing is added when it is absent: one taken means that another transaction
# recorded the same thing first (in intake, a repeat: R11), a `Conflict`. Whatever else the database
# refuses (a foreign key, NOT NULL, CHECK, any other key) means the write is wrong: `NotStored`.
TAKEN_FIRST: Mapping[str, str] = {
    "pk_received_messages": "another transaction received this message first",
    "uq_exports_partner_id_client_id_document_id_direction": (
        "another transaction exported this document first"
    ),
    "pk_extensions": "another transaction installed this partner's extension first",
    "pk_client_integrations": "another transaction added this client's integration first",
    "pk_octopus_tokens": "another transaction saved this partner's Octopus connection first",
    "uq_backfills_running": "this client has a backfill running already",
}

# SQLite names no constraint, only its columns: "UNIQUE constraint failed: exports.partner_id, …".
_SQLITE_UNIQUE = "UNIQUE constraint failed: "
_SQLITE_KEYS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
# A unique index says the same as a unique constraint (a partial one: a backfill running per client).
_KEY_BY_COLUMNS: Mapping[str, str] = {
    ", ".join(f"{table.name}.{column.name}" for column in key.columns): str(key.name)
    for table in tables.metadata.tables.values()
    for key in (*table.constraints, *(index for index in table.indexes if index.unique))
    if isinstance(key, UniqueConstraint | PrimaryKeyConstraint | Index)
}


def _refused(error: IntegrityError) -> Conflict | NotStored:
    """`Conflict` when the constraint at fault is one of `TAKEN_FIRST`, else `NotStored` in the
    driver's words (never the statement nor its values, which SQLAlchemy's message carries)."""
    driver = error.orig.driver_exception if isinstance(error.orig, EmulatedDBAPIException) else error.orig
    words = " ".join(str(driver).split())
    constraint: str | None = getattr(driver, "constraint_name", None)  # asyncpg's
    if isinstance(driver, sqlite3.IntegrityError) and driver.sqlite_errorname in _SQLITE_KEYS:
        constraint = _KEY_BY_COLUMNS.get(words.removeprefix(_SQLITE_UNIQUE))
    if constraint is not None and constraint in TAKEN_FIRST:
        return Conflict(TAKEN_FIRST[constraint])
    return NotStored(f"the database refused the write, and nothing of it was stored: {words}")


def _schema_missing(error: DBAPIError) -> bool:
    return any(words in str(error.orig) for words in _MISSING_TABLE)


@contextmanager
def translated_errors() -> Iterator[None]:
    """A key of `TAKEN_FIRST` taken, or a row changed by another transaction, is a `Conflict`; any
    other integrity error is `NotStored`; a database that cannot be reached, or is locked past the
    busy timeout, is `Unavailable`."""
    try:
        yield
    except IntegrityError as exc:
        raise _refused(exc) from exc
    except StaleDataError as exc:
        raise Conflict("another transaction changed the same thing first") from exc
    except (OperationalError, ProgrammingError) as exc:
        if _schema_missing(exc):
            raise Unavailable(
                "the database has no octobridge schema yet: run `octobridge db upgrade`"
            ) from exc
        if isinstance(exc, ProgrammingError):
            raise
        raise Unavailable("the database cannot be reached or is busy") from exc
    except (OSError, TimeoutError) as exc:  # the driver could not even connect
        raise Unavailable(f"the database cannot be reached: {exc}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise Unavailable("the connection to the database was lost") from exc
        raise
