"""The keys octobridge makes for what it stores: time-ordered UUIDs, so that rows made one after
another land side by side in a primary key's index rather than on a page of their own."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from domain.clock import utc
from domain.errors import InvalidValue

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_RANDOM_A_BITS = 12
_RANDOM_B_BITS = 62


def time_ordered_id(at: datetime) -> str:
    """A UUID version 7 (RFC 9562 §5.7) for the instant `at`: its Unix time in milliseconds in the
    first 48 bits, then the version (7), 12 random bits, the variant (0b10) and 62 random bits.
    Ids made in later milliseconds sort after, as text and as UUIDs; within one millisecond their
    order is random. `at` must be timezone-aware and not before 1970."""
    milliseconds = (utc(at, "at") - _EPOCH) // _MILLISECOND
    if milliseconds < 0:
        raise InvalidValue("at", "falls before 1970, where UUID version 7 starts")
    value = (
        milliseconds << 80
        | 0x7 << 76
        | secrets.randbits(_RANDOM_A_BITS) << 64
        | 0b10 << 62
        | secrets.randbits(_RANDOM_B_BITS)
    )
    return str(uuid.UUID(int=value))
