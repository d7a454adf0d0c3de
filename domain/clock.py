"""Time in the domain: every instant is timezone-aware and kept in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import InvalidValue


def utc(moment: datetime, field: str = "occurredAt") -> datetime:
    """The same instant in UTC; a naive datetime is refused, since its zone would be a guess, and so is
    one that falls outside the years 1 to 9999 once in UTC (`0001-01-01T00:00:00+14:00`)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue(field, "needs a time zone")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidValue(field, "falls outside the years 1 to 9999 once in UTC") from exc
