"""Ports for the documents an export carries: fetched from Banqup, rendered as Peppol BIS 3 UBL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
