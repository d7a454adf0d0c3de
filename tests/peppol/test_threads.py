"""The UBL schema from several threads at once, as the worker renders large documents off its loop."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lxml import etree

from adapters.ubl.schema import UblSchema
from tests.peppol.conftest import material


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
