"""Ports for the documents an export carries: fetched from Banqup, rendered as Peppol BIS 3 UBL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.events import Direction, DocumentKind


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A Banqup document as Banqup holds it: its JSON (CONTRACTS §4), its PDF and its original UBL if any."""

    client_id: str
    document_id: str
    json: bytes
    pdf: bytes | None = None
    ubl: bytes | None = None


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A validated Peppol BIS 3 UBL file, ready to be attached to a mail."""

    kind: str  # "invoice" or "creditNote"
    number: str
    seller_name: str
    xml: bytes


class DocumentSource(Protocol):
    """Reads a client's document from Banqup; read-only (R18).

    Raises `NotFound` when Banqup has no such document, `Unavailable` when Banqup cannot be reached.
    """

    async def fetch(self, client_id: str, document_id: str) -> SourceDocument: ...


@dataclass(frozen=True, slots=True)
class ListedDocument:
    """One document of a space approved (purchases) or sent (sales) on a listed day (CONTRACTS §4).
    `status` is its status now: `APPROVED`, `SENT`, `PAID` or `REJECTED` (withdrawn since)."""

    document_id: str
    direction: Direction
    kind: DocumentKind
    status: str
    approved_or_sent_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentListPage:
    items: tuple[ListedDocument, ...]
    next_cursor: str | None


class DocumentListing(Protocol):
    """Lists a client's documents approved or sent between two days, inclusive, compared with the
    UTC date of `approvedOrSentAt`, whatever happened to them since (CONTRACTS §4, for §9's backfills).
    A next page is asked with `cursor` alone; the first page's days apply to it.

    Raises `Unavailable` when Banqup cannot be reached, `NotFound` when it does not know the space,
    `Invalid` when it refuses the request (a cursor or limit it does not take) or answers with a page
    octobridge cannot use: asking again would get the same answer.
    """

    async def list_approved_or_sent(
        self, client_id: str, first_day: date, last_day: date, cursor: str | None = None, limit: int = 100
    ) -> DocumentListPage: ...


class ExportStatusReports(Protocol):
    """Tells Banqup how a document's export went, as its accounting statuses do (R18): `delivered` or
    `error`, with a detail. Best effort: it changes nothing in the document. Raises `Unavailable` when
    Banqup cannot be told."""

    async def report(self, client_id: str, document_id: str, status: str, detail: str) -> None: ...


@dataclass(frozen=True, slots=True)
class OriginalUbl:
    """A document to render from the e-invoice Banqup received as UBL, with its PDF to embed if any."""

    xml: bytes
    pdf: bytes | None = None


@dataclass(frozen=True, slots=True)
class BanqupJson:
    """A document to render from Banqup's JSON (CONTRACTS §4), with its PDF to embed if any."""

    json: bytes
    pdf: bytes | None = None


# What a renderer takes: which of the two `original_ubl_first` picks (application/rendering.py).
Renderable = OriginalUbl | BanqupJson


class DocumentRenderer(Protocol):
    """Turns a document into Peppol BIS 3 UBL that passes the official validation (R12, R13). It
    decides where the work runs: the event loop is never held for long by a large document.

    Raises `InvalidDocument` with the rule ids and messages when no valid UBL can be made.
    """

    async def render(self, document: Renderable) -> RenderedDocument: ...
