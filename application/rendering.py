"""Which form of a Banqup document the Peppol UBL is made from (R13)."""

from __future__ import annotations

from application.ports.documents import BanqupJson, OriginalUbl, Renderable, SourceDocument


def original_ubl_first(source: SourceDocument) -> Renderable:
    """Banqup's original UBL when it holds one, else its JSON; the PDF goes along either way (R12).
    The e-invoice as its sender made it is the document; Banqup's JSON is Banqup's reading of it."""
    if source.ubl is not None:
        return OriginalUbl(source.ubl, source.pdf)
    return BanqupJson(source.json, source.pdf)
