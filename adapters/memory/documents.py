"""Banqup's documents held in memory: the fake of Banqup's document API."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from application.errors import Invalid, NotFound
from application.ports.documents import (
    DocumentListing,
    DocumentListPage,
    DocumentSource,
    ListedDocument,
    SourceDocument,
)


class InMemoryDocumentSource(DocumentSource):
    """The documents `put` here, by client and document id; read-only to its callers, as Banqup is."""

    def __init__(self) -> None:
        self._documents: dict[tuple[str, str], SourceDocument] = {}

    def put(self, document: SourceDocument) -> None:
        self._documents[(document.client_id, document.document_id)] = document

    async def fetch(self, client_id: str, document_id: str) -> SourceDocument:
        try:
            return self._documents[(client_id, document_id)]
        except KeyError:
            raise NotFound(f"Banqup has no document {document_id} in space {client_id}") from None


class InMemoryDocumentListing(DocumentListing):
    """The documents `hold` puts in each client's space, listed as Banqup lists them. A space is known
    once it holds a document or is opened. Its cursor says where the last page ended and its last day;
    one it did not give is refused as Banqup refuses it (`Invalid`)."""

    def __init__(self) -> None:
        self._spaces: dict[str, dict[str, ListedDocument]] = {}

    def open_space(self, client_id: str) -> None:
        self._spaces.setdefault(client_id, {})

    def hold(self, client_id: str, document: ListedDocument) -> None:
        at = document.approved_or_sent_at.astimezone(UTC)  # as Banqup sends it
        self._spaces.setdefault(client_id, {})[document.document_id] = replace(
            document, approved_or_sent_at=at
        )

    async def list_approved_or_sent(
        self, client_id: str, first_day: date, last_day: date, cursor: str | None = None, limit: int = 100
    ) -> DocumentListPage:
        if client_id not in self._spaces:
            raise NotFound(f"Banqup does not know space {client_id}")
        if not 1 <= limit <= 100:
            raise Invalid(f"Banqup refused the limit {limit}")
        after = (datetime.combine(first_day, time.min, UTC), "")
        if cursor is not None:
            after, last_day = _from_cursor(client_id, cursor)
        end = datetime.combine(last_day + timedelta(days=1), time.min, UTC)
        listed = sorted(
            (d for d in self._spaces[client_id].values() if after < _key(d) and d.approved_or_sent_at < end),
            key=_key,
        )
        page = listed[:limit]
        next_cursor = _cursor(client_id, _key(page[-1]), last_day) if len(listed) > limit else None
        return DocumentListPage(tuple(page), next_cursor)


def _key(document: ListedDocument) -> tuple[datetime, str]:
    return (document.approved_or_sent_at, document.document_id)


def _cursor(client_id: str, key: tuple[datetime, str], last_day: date) -> str:
    return json.dumps([client_id, key[0].isoformat(), key[1], last_day.isoformat()])


def _from_cursor(client_id: str, cursor: str) -> tuple[tuple[datetime, str], date]:
    try:
        space, at, document_id, last_day = json.loads(cursor)
        after, day = (datetime.fromisoformat(at), document_id), date.fromisoformat(last_day)
    except (ValueError, TypeError):
        raise Invalid("Banqup refused the cursor: not one it gave") from None
    if space != client_id or after[0].tzinfo is None:
        raise Invalid("Banqup refused the cursor: not one it gave")
    return after, day
