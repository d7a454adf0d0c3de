"""The stand-in Banqup's list of a space's documents approved or sent on a range of days (CONTRACTS §4),
a page at a time in (approvedOrSentAt, id) order: a document approved or re-put while a caller pages
moves nothing the caller has not seen yet out of place."""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

PAGE_MAX = 100
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# A listed document's place in the order: its approvedOrSentAt (UTC) and its id.
Key = tuple[datetime, str]


@dataclass(frozen=True)
class PageAsked:
    """Where a page starts (strictly after `after`), the last day it may reach, and its size."""

    space_id: str
    after: Key
    last_day: date
    limit: int


def _start_of(day: date) -> Key:
    return (datetime.combine(day, time.min, UTC), "")  # before every id: ids are never empty


def _day(params: Mapping[str, str], name: str) -> date:
    value = params.get(name)
    if value is None:
        raise ValueError(f"{name} is required on a first page")
    if not _DAY.fullmatch(value):
        raise ValueError(f"{name} must be a day, YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} is not a day of the calendar") from None


def _limit(params: Mapping[str, str]) -> int:
    value = params.get("limit", str(PAGE_MAX))
    if not value.isdecimal() or not 1 <= int(value) <= PAGE_MAX:
        raise ValueError(f"limit must be a whole number from 1 to {PAGE_MAX}")
    return int(value)


def _cursor(space_id: str, key: Key, last_day: date) -> str:
    at, document_id = key
    state = [space_id, at.isoformat(), document_id, last_day.isoformat()]
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _from_cursor(space_id: str, cursor: str) -> tuple[Key, date]:
    try:
        space, at, document_id, last_day = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key, day = (datetime.fromisoformat(at), str(document_id)), date.fromisoformat(last_day)
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise ValueError("cursor is not one this API gave") from None
    if key[0].tzinfo is None:
        raise ValueError("cursor is not one this API gave")
    if space != space_id:
        raise ValueError("cursor belongs to another space")
    return key, day


def page_asked(space_id: str, params: Mapping[str, str]) -> PageAsked:
    """The page a query asks for; `ValueError` saying what is wrong with it (a 400)."""
    limit, cursor = _limit(params), params.get("cursor")
    if cursor is not None:
        if "approvedOrSentFrom" in params or "approvedOrSentTo" in params:
            raise ValueError("a next page is asked with its cursor alone: its filters apply")
        after, last_day = _from_cursor(space_id, cursor)
        return PageAsked(space_id, after, last_day, limit)
    first_day, last_day = _day(params, "approvedOrSentFrom"), _day(params, "approvedOrSentTo")
    if first_day > last_day:
        raise ValueError("approvedOrSentFrom is after approvedOrSentTo")
    return PageAsked(space_id, _start_of(first_day), last_day, limit)


class ListingIndex:
    """The keys of each space's listed documents, kept sorted: a page costs a search and its length."""

    def __init__(self) -> None:
        self._keys: dict[str, list[Key]] = defaultdict(list)

    def add(self, space_id: str, key: Key) -> None:
        bisect.insort(self._keys[space_id], key)

    def remove(self, space_id: str, key: Key) -> None:
        keys = self._keys[space_id]
        del keys[bisect.bisect_left(keys, key)]

    def page(self, asked: PageAsked) -> tuple[list[str], str | None]:
        """The ids of the page's documents, and the cursor of the next page, None when there is none."""
        keys = self._keys.get(asked.space_id, [])
        start = bisect.bisect_right(keys, asked.after)
        end = bisect.bisect_left(keys, _start_of(asked.last_day + timedelta(days=1)), lo=start)
        page = keys[start : min(end, start + asked.limit)]
        more = start + asked.limit < end
        return [document_id for _, document_id in page], (
            _cursor(asked.space_id, page[-1], asked.last_day) if more else None
        )


def utc_z(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
