"""Documents that can never become UBL fail at once with `InvalidDocument` naming the field; text
XML cannot carry is made safe where a person reads it (R28). Through the renderer the worker uses."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.ubl.namespaces import NSMAP
from application.errors import InvalidDocument
from application.ports.documents import SourceDocument
from application.rendering import original_ubl_first
from tests.adapters.ubl.banqup_documents import encode
from tests.adapters.ubl.test_banqup_rendering import _sample

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4
SELLER, BUYER = "cac:AccountingSupplierParty", "cac:AccountingCustomerParty"
FUNCTION_SCOPED = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _with(path: tuple[str | int, ...], value: str) -> dict[str, Any]:
    document = copy.deepcopy(_sample())
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def _render(toolkit, document: dict[str, Any] | bytes, ubl: bytes | None = None):  # type: ignore[no-untyped-def]
    data = document if isinstance(document, bytes) else encode(document)
    source = SourceDocument("c1", "d1", data, PDF, ubl)
    return asyncio.run(toolkit.render(original_ubl_first(source)))


def _text(xml: bytes, path: str) -> str:
    return str(etree.fromstring(xml).findtext(path, namespaces=NSMAP))


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("number",), "INV\x00-42", "number"),
        (("number",), "INV-\x1b42", "number"),
        (("number",), "INV-42\ufffe", "number"),
        (("lines", 0, "id"), "1\x00", "lines[0].id"),
        (("seller", "vatNumber"), "BE0123456749\x07", "seller.vatNumber"),
        (("buyer", "address", "postalCode"), "8000\x0c", "buyer.address.postalCode"),
        (("payment", "structuredReference"), "+++090/9337/55493+++\x00", "payment.structuredReference"),
    ],
)
def test_a_control_character_in_an_identifier_fails_the_document_naming_the_field(  # type: ignore[no-untyped-def]
    toolkit, path: tuple[str | int, ...], value: str, field: str
) -> None:
    with pytest.raises(InvalidDocument) as caught:
        _render(toolkit, _with(path, value))
    assert field in caught.value.message and "control character" in caught.value.message
    assert [v.location for v in caught.value.violations] == [field]


@pytest.mark.parametrize(
    ("path", "value", "xpath", "expected"),
    [
        (("seller", "name"), "Dupont\x00SRL", f"{SELLER}//cbc:RegistrationName", "Dupont SRL"),
        (("lines", 0, "name"), "Fût\x0b30 l", "cac:InvoiceLine/cac:Item/cbc:Name", "Fût 30 l"),
        (("note",), "Merci\x01 beaucoup\uffff", "cbc:Note", "Merci  beaucoup "),
        (("buyer", "address", "street"), "Grote\x1fMarkt 1", f"{BUYER}//cbc:StreetName", "Grote Markt 1"),
        (("payment", "terms"), "30\tdays\x00", "cac:PaymentTerms/cbc:Note", "30\tdays "),
    ],
)  # fmt: skip
def test_a_control_character_in_free_text_becomes_a_space_and_the_document_goes(  # type: ignore[no-untyped-def]
    toolkit, path: tuple[str | int, ...], value: str, xpath: str, expected: str
) -> None:
    rendered = _render(toolkit, _with(path, value))
    assert _text(rendered.xml, xpath) == expected
    assert not [v for v in toolkit.validate(rendered.xml) if v.fatal]


@pytest.mark.parametrize("where", ["an unknown field", "a known field"])
def test_deeply_nested_json_fails_the_document(toolkit, where: str) -> None:  # type: ignore[no-untyped-def]
    nested = b"[" * 10_000 + b"]" * 10_000
    data = encode(_sample())
    if where == "an unknown field":
        data = data[:-1] + b', "extra": ' + nested + b"}"
    else:
        data = data.replace(b'"allowances": []', b'"allowances": ' + nested)
        assert nested in data
    with pytest.raises(InvalidDocument, match="not a Banqup document"):
        _render(toolkit, data)


def test_an_original_ubl_that_is_not_xml_fails_the_document(toolkit) -> None:  # type: ignore[no-untyped-def]
    nested = b"<Invoice>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Invoice>"
    for ubl in (b"\x00not xml", nested):
        with pytest.raises(InvalidDocument, match="not well-formed"):
            _render(toolkit, _sample(), ubl)


def test_an_attachment_name_from_an_original_ubl_is_made_file_name_safe(toolkit) -> None:  # type: ignore[no-untyped-def]
    original = etree.fromstring(toolkit.render_banqup(encode(_sample()), PDF))
    (binary,) = original.iterfind(".//cbc:EmbeddedDocumentBinaryObject", NSMAP)
    binary.set("filename", "../../../../tmp/x.pdf")
    rendered = _render(toolkit, _sample(), etree.tostring(original))
    (name,) = (b.get("filename") for b in etree.fromstring(rendered.xml).iterfind(
        ".//cbc:EmbeddedDocumentBinaryObject", NSMAP
    ))  # fmt: skip
    assert name == "tmp_x.pdf"


@FUNCTION_SCOPED
@given(
    field=st.sampled_from(
        [("number",), ("seller", "name"), ("lines", 0, "name"), ("note",), ("lines", 0, "id")]
    ),
    text=st.text(min_size=1, max_size=20),
)
def test_any_text_in_any_field_renders_valid_ubl_or_fails_the_document(  # type: ignore[no-untyped-def]
    toolkit, field: tuple[str | int, ...], text: str
) -> None:
    try:
        rendered = _render(toolkit, _with(field, text))
    except InvalidDocument:
        return
    assert not [v for v in toolkit.validate(rendered.xml) if v.fatal]
