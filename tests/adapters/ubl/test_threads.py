"""Large documents rendered off the event loop, and the UBL schema from several threads at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from adapters.ubl.schema import UblSchema
from adapters.ubl.toolkit import RENDERED_ON_A_THREAD_FROM, PeppolUblToolkit
from application.ports.documents import BanqupJson, OriginalUbl, Renderable, RenderedDocument
from tests.adapters.ubl.conftest import material


def test_documents_validated_side_by_side_each_get_their_own_report() -> None:
    """libxml2 validates without the GIL, and an lxml schema keeps one error log: read without a
    lock, an invalid document could take the empty log of a valid one validated meanwhile."""
    valid = etree.fromstring(Path(material("examples", "base-example.xml")).read_bytes())
    invalid = etree.fromstring(Path(material("examples", "base-example.xml")).read_bytes())
    invalid.insert(0, etree.Element("{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Unknown"))
    schema = UblSchema()
    schema.load()
    documents = [valid, invalid] * 300
    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(schema.check, documents))
    assert all(report == () for report in reports[::2])
    assert all(report and report[0].rule_id == "UBL-SCHEMA" for report in reports[1::2])


@pytest.mark.parametrize(
    ("document", "on_the_loop"),
    [
        (BanqupJson(b"{}", pdf=b"%" * 1024), True),
        (BanqupJson(b"{}", pdf=b"%" * RENDERED_ON_A_THREAD_FROM), False),
        (
            OriginalUbl(b"<" * (RENDERED_ON_A_THREAD_FROM // 2), pdf=b"%" * (RENDERED_ON_A_THREAD_FROM // 2)),
            False,
        ),
    ],
)
async def test_a_document_with_a_large_pdf_or_ubl_is_rendered_off_the_loop(
    toolkit: PeppolUblToolkit, monkeypatch: pytest.MonkeyPatch, document: Renderable, on_the_loop: bool
) -> None:
    """A large PDF takes long to embed and validate: the other deliveries' connections are served
    meanwhile. Small documents stay on the loop."""
    threads = []

    def watched(document: Renderable) -> RenderedDocument:
        threads.append(threading.current_thread())
        return RenderedDocument("invoice", "INV/42", "Brasserie Dupont", b"<Invoice/>")

    monkeypatch.setattr(toolkit, "_rendered", watched)
    await toolkit.render(document)
    assert (threads == [threading.main_thread()]) is on_the_loop
