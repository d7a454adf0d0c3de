"""Database errors, told as application errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm.exc import StaleDataError

from application.errors import Conflict, Unavailable

_MISSING_TABLE = ("no such table", "does not exist")


def _schema_missing(error: DBAPIError) -> bool:
    return any(words in str(error.orig) for words in _MISSING_TABLE)


@contextmanager
def translated_errors() -> Iterator[None]:
    """A unique key taken or a row changed by another transaction is a `Conflict`; a database that
    cannot be reached, or is locked past the busy timeout, is `Unavailable`."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict("another transaction recorded the same thing first") from exc
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
