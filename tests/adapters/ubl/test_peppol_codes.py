"""The code lists transcribed in the native rules match the official 3.0.19 lists."""

from __future__ import annotations

import pytest
from lxml import etree

from adapters.ubl.peppol_rules import codes
from tests.adapters.ubl.conftest import material

_NS = {"c": "urn:fdc:difi.no:2017:vefa:structure:CodeList-1"}


@pytest.mark.parametrize(
    ("file", "transcribed"),
    [
        ("ISO4217_2015.xml", codes.CURRENCIES),
        ("UNCL7161.xml", codes.CHARGE_REASONS),
        ("UNCL5189.xml", codes.ALLOWANCE_REASONS),
        ("eas.xml", codes.ELECTRONIC_ADDRESS_SCHEMES),
        ("UNCL1001-inv.xml", codes.INVOICE_TYPE_CODES),
        ("UNCL1001-cn.xml", codes.CREDIT_NOTE_TYPE_CODES),
        ("UNCL2005.xml", codes.PERIOD_DESCRIPTIONS),
        ("MimeCode.xml", codes.MIME_CODES),
    ],
)
def test_code_list_matches_the_official_one(file: str, transcribed: frozenset[str]) -> None:
    root = etree.parse(str(material("codelists", file))).getroot()
    official = {code.findtext("c:Id", namespaces=_NS) for code in root.iterfind("c:Code", _NS)}
    assert transcribed == official
