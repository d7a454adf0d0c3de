"""Banqup's list of a space's documents approved or sent on a range of days (CONTRACTS §4), decoded
strictly: an item octobridge cannot use stops the listing rather than being skipped unseen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from application.errors import Invalid
from application.ports.documents import DocumentListPage, ListedDocument
from domain.events import MAX_ID, Direction, DocumentKind

_DIRECTIONS = {"PURCHASES": Direction.PURCHASE, "SALES": Direction.SALES}
_KINDS = {"INVOICE": DocumentKind.INVOICE, "CREDIT_NOTE": DocumentKind.CREDIT_NOTE}


class _Item(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID)]
    folder: Literal["PURCHASES", "SALES"]
    document_category: Literal["INVOICE", "CREDIT_NOTE"]
    status: Literal["APPROVED", "SENT", "PAID", "REJECTED"]
    approved_or_sent_at: Annotated[datetime, msgspec.Meta(tz=True)]

    def listed(self) -> ListedDocument:
        return ListedDocument(
            self.id,
            _DIRECTIONS[self.folder],
            _KINDS[self.document_category],
            self.status,
            self.approved_or_sent_at,
        )


class _Page(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    items: list[_Item]
    next_cursor: Annotated[str, msgspec.Meta(min_length=1)] | None


_decoder = msgspec.json.Decoder(_Page)


def decode_document_list(body: bytes, client_id: str) -> DocumentListPage:
    """The page Banqup sent; `Invalid` naming the field at fault when it is not one."""
    try:
        page = _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise Invalid(f"Banqup's list of the documents of space {client_id} cannot be used: {exc}") from exc
    return DocumentListPage(tuple(item.listed() for item in page.items), page.next_cursor)
