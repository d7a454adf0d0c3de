"""The `DocumentSource` contract, run over every implementation: Banqup's API over HTTP (against the
stand-in Banqup, served locally) and the in-memory fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from adapters.banqup.documents import HttpBanqupDocuments
from adapters.http_client import outbound_transport
from adapters.memory.documents import InMemoryDocumentSource
from application.errors import NotFound
from application.ports.documents import DocumentSource, SourceDocument
from sandbox.banqup import BanqupStandIn, StoredDocument

JSON, PDF, UBL = b'{"id": "doc-1"}', b"%PDF-1.4 the original", b"<Invoice>the original</Invoice>"


@dataclass
class SourceUnderTest:
    source: DocumentSource
    holds: Callable[[SourceDocument], None]  # Banqup holds this document from now on


@pytest.fixture(params=["http", "in-memory"])
async def under_test(request: pytest.FixtureRequest) -> AsyncIterator[SourceUnderTest]:
    if request.param == "in-memory":
        fake = InMemoryDocumentSource()
        yield SourceUnderTest(fake, fake.put)
        return
    stand_in, url = request.getfixturevalue("banqup")

    def holds(document: SourceDocument) -> None:
        stored = StoredDocument(document.json, pdf=document.pdf, ubl=document.ubl)
        stand_in.put(document.client_id, document.document_id, stored)

    async with outbound_transport() as transport:
        assert isinstance(stand_in, BanqupStandIn)
        yield SourceUnderTest(
            HttpBanqupDocuments(url, stand_in.client_id, stand_in.client_secret, transport), holds
        )


async def test_a_document_comes_with_its_pdf_and_its_original_ubl(under_test: SourceUnderTest) -> None:
    under_test.holds(SourceDocument("space-1", "doc-1", JSON, PDF, UBL))
    assert await under_test.source.fetch("space-1", "doc-1") == SourceDocument(
        "space-1", "doc-1", JSON, PDF, UBL
    )


async def test_a_document_without_pdf_or_ubl_comes_without_them(under_test: SourceUnderTest) -> None:
    under_test.holds(SourceDocument("space-1", "doc-1", JSON))
    assert await under_test.source.fetch("space-1", "doc-1") == SourceDocument("space-1", "doc-1", JSON)


async def test_a_document_banqup_does_not_hold_is_not_found(under_test: SourceUnderTest) -> None:
    under_test.holds(SourceDocument("space-1", "doc-1", JSON))
    with pytest.raises(NotFound):
        await under_test.source.fetch("space-1", "doc-2")
    with pytest.raises(NotFound):  # another client's space holds no such document
        await under_test.source.fetch("space-2", "doc-1")
