"""Hardened parsing of UBL from outside: no DTD, no entities, no network, bounded size.

Error messages describe the problem, never the content, so nothing from a hostile file is echoed.
"""

from __future__ import annotations

from lxml import etree

from adapters.ubl.namespaces import ROOT_TAGS
from application.errors import Invalid

MAX_XML_BYTES = 20 * 1024 * 1024


def _parser() -> etree.XMLParser:
    # A parser is not thread-safe, and making one costs microseconds: one per call.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def refuse_oversized(data: bytes) -> None:
    """Raises `Invalid` when `data` is larger than `MAX_XML_BYTES`."""
    if len(data) > MAX_XML_BYTES:
        raise Invalid(f"the file is larger than the {MAX_XML_BYTES // (1024 * 1024)} MB a document may have")


def parse_xml(data: bytes) -> etree._Element:
    """Any XML document without a DOCTYPE, up to `MAX_XML_BYTES`; raises `Invalid` otherwise."""
    refuse_oversized(data)
    if b"<!DOCTYPE" in data:
        raise Invalid("the XML declares a DOCTYPE, which is refused (no DTDs or entities)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"the file is not well-formed XML (line {exc.lineno})") from exc
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise Invalid("the XML declares a DOCTYPE, which is refused (no DTDs or entities)")
    return root


def parse_ubl(data: bytes) -> etree._Element:
    """A UBL 2.1 Invoice or CreditNote root element; raises `Invalid` for anything else."""
    root = parse_xml(data)
    if root.tag not in ROOT_TAGS:
        raise Invalid("the root element is not a UBL 2.1 Invoice or CreditNote in its namespace")
    return root
