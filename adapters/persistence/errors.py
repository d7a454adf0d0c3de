"""Database errors, told as application errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from application.errors import Conflict, Unavailable


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
    except OperationalError as exc:
        raise Unavailable("the database cannot be reached or is busy") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise Unavailable("the connection to the database was lost") from exc
        raise
