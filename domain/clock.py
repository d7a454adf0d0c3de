"""Time in the domain: every instant is timezone-aware and kept in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import InvalidValue


def utc(moment: datetime, field: str = "occurredAt") -> datetime:
    """The same instant in UTC; a naive datetime is refused, since its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue(field, "needs a time zone")
    return moment.astimezone(UTC)
