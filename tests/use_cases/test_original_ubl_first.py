"""Which form of a Banqup document the UBL is made from (R13)."""

from __future__ import annotations

from application.ports.documents import BanqupJson, OriginalUbl, SourceDocument
from application.rendering import original_ubl_first


def test_the_original_ubl_is_rendered_when_banqup_holds_one_with_the_pdf() -> None:
    source = SourceDocument("c1", "d1", b"{}", pdf=b"%PDF", ubl=b"<Invoice/>")
    assert original_ubl_first(source) == OriginalUbl(b"<Invoice/>", b"%PDF")


def test_the_json_is_rendered_when_there_is_no_original_ubl() -> None:
    assert original_ubl_first(SourceDocument("c1", "d1", b"{}", pdf=b"%PDF")) == BanqupJson(b"{}", b"%PDF")
    assert original_ubl_first(SourceDocument("c1", "d1", b"{}")) == BanqupJson(b"{}", None)
