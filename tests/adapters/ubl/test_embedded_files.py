"""Embedded files never reach the rules: cut out of the bytes when that is provably exact, otherwise
blanked in the parsed tree; either way the rules see the same tree, with the same line numbers."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from adapters.ubl.binaries import PLACEHOLDER, blank, parse_blanked
from adapters.ubl.parsing import MAX_XML_BYTES, parse_ubl
from application.errors import Invalid
from tests.adapters.ubl.banqup_documents import encode
from tests.adapters.ubl.test_banqup_rendering import _sample

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
FILE = base64.b64encode(b"%PDF-1.7 secret content " * 40).decode()
WRAPPED = "\n".join(FILE[i : i + 76] for i in range(0, len(FILE), 76))
BINARY = "cbc:EmbeddedDocumentBinaryObject"


def _invoice(*parts: str) -> bytes:
    body = "\n".join(parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="{CBC}">\n'
        f"{body}\n<cbc:ID>after the files</cbc:ID>\n</Invoice>"
    ).encode()


DOCUMENTS = {
    "one file": _invoice(f'<{BINARY} mimeCode="application/pdf" filename="a.pdf">{FILE}</{BINARY}>'),
    "base64 in lines": _invoice(f'<{BINARY} mimeCode="application/pdf">\n{WRAPPED}\n</{BINARY}>'),
    "two files": _invoice(f"<{BINARY}>{FILE}</{BINARY}>", f"<{BINARY} >{WRAPPED}</{BINARY} >"),
    "default namespace, > in attributes": _invoice(
        f"<EmbeddedDocumentBinaryObject xmlns='{CBC}' filename='a>b.pdf' mimeCode = \"x>y\">{FILE}"
        "</EmbeddedDocumentBinaryObject>"
    ),
    "blank file": _invoice(f'<{BINARY} mimeCode="application/pdf">  \n </{BINARY}>'),
    "empty file": _invoice(f"<{BINARY}/>", f"<{BINARY}></{BINARY}>"),
    "file in a comment": _invoice(f"<!-- <{BINARY}>{FILE}</{BINARY}> -->", f"<{BINARY}>{FILE}</{BINARY}>"),
    "file after a comment": _invoice(f"<!-- <{BINARY}> -->", f"<{BINARY}>{FILE}</{BINARY}>"),
    "file in CDATA": _invoice(
        f"<{BINARY}>{FILE}</{BINARY}>", f"<cbc:Note><![CDATA[<{BINARY}>{FILE}</{BINARY}>]]></cbc:Note>"
    ),
    "file in a processing instruction": _invoice(f"<?note <{BINARY}>{FILE}</{BINARY}> ?>"),
    "CDATA content": _invoice(f"<{BINARY}><![CDATA[{FILE}]]></{BINARY}>"),
    "content with a child": _invoice(f"<{BINARY}>{FILE}<cbc:Note>x</cbc:Note></{BINARY}>"),
    "another namespace": _invoice(
        f"<x:EmbeddedDocumentBinaryObject xmlns:x='urn:example'>{FILE}</x:EmbeddedDocumentBinaryObject>",
        f"<{BINARY}>{FILE}</{BINARY}>",
    ),
    "placeholder as content": _invoice(
        f"<{BINARY}>{PLACEHOLDER}<cbc:Note>x</cbc:Note></{BINARY}>",
        f"<x:EmbeddedDocumentBinaryObject xmlns:x='urn:example'>{FILE}</x:EmbeddedDocumentBinaryObject>",
    ),
}


def _blanked_after_parsing(data: bytes) -> etree._Element:
    root = parse_ubl(data)
    blank(root)
    return root


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_rules_see_the_tree_blanking_after_parsing_gives(name: str) -> None:
    data = DOCUMENTS[name]
    blanked, whole = parse_blanked(data), _blanked_after_parsing(data)
    assert etree.tostring(blanked.root) == etree.tostring(whole)
    assert [e.sourceline for e in blanked.root.iter()] == [e.sourceline for e in whole.iter()]


@pytest.mark.parametrize("name", [*sorted(DOCUMENTS), "latin-1"])
def test_the_text_for_saxon_says_what_the_tree_says(name: str) -> None:
    data = DOCUMENTS.get(name) or _invoice("<cbc:Note>Café</cbc:Note>").replace(b"UTF-8", b"ISO-8859-1")
    if name == "latin-1":
        data = data.decode("utf-8").encode("latin-1")
    blanked = parse_blanked(data)
    reparsed = etree.fromstring(blanked.text.encode("utf-8"), etree.XMLParser(remove_pis=True))
    assert etree.tostring(reparsed, method="c14n") == etree.tostring(blanked.root, method="c14n")


def test_a_file_becomes_the_placeholder_and_a_blank_one_stays_blank() -> None:
    for content in (FILE, WRAPPED):
        blanked = parse_blanked(_invoice(f"<{BINARY}>{content}</{BINARY}>", f"<{BINARY}> </{BINARY}>"))
        binaries = blanked.root.iter(f"{{{CBC}}}EmbeddedDocumentBinaryObject")
        assert [b.text for b in binaries] == [PLACEHOLDER, " "]
        assert FILE[:40] not in blanked.text


def test_an_empty_file_is_an_empty_element_for_the_rules(toolkit) -> None:  # type: ignore[no-untyped-def]
    with_pdf = toolkit.render_banqup(encode(_sample()), b"%PDF-1.7 x")
    emptied = with_pdf.replace(base64.b64encode(b"%PDF-1.7 x"), b"")
    assert "PEPPOL-EN16931-R008" not in {v.rule_id for v in toolkit.validate(with_pdf)}
    assert "PEPPOL-EN16931-R008" in {v.rule_id for v in toolkit.validate(emptied)}


def test_a_large_file_changes_nothing_the_rules_report(toolkit) -> None:  # type: ignore[no-untyped-def]
    small = toolkit.validate(toolkit.render_banqup(encode(_sample()), b"%PDF-1.7 x"))
    large = toolkit.validate(
        toolkit.render_banqup(encode(_sample()), b"%PDF-1.7 " + bytes(range(256)) * 4096)
    )
    assert small == large


def test_the_size_limit_counts_the_file(toolkit) -> None:  # type: ignore[no-untyped-def]
    data = _invoice(f"<{BINARY}>{'A' * MAX_XML_BYTES}</{BINARY}>")
    with pytest.raises(Invalid, match="larger than"):
        toolkit.validate(data)


def test_a_malformed_document_is_reported_as_it_came() -> None:
    data = _invoice(f"<{BINARY}>{WRAPPED}</{BINARY}>", "<cbc:Note>unclosed")
    with pytest.raises(Invalid) as whole:
        parse_ubl(data)
    with pytest.raises(Invalid) as cut:
        parse_blanked(data)
    assert cut.value.message == whole.value.message
