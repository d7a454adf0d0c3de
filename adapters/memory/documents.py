"""Banqup's documents held in memory: the fake of Banqup's document API."""

from __future__ import annotations

from application.errors import NotFound
from application.ports.documents import DocumentSource, SourceDocument


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
