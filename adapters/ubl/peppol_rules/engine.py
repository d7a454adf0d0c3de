"""A small rule engine: each rule is a Python check bound to the elements it applies to.

The whole document is walked once; every element with a registered tag is handed to the checks
registered for it, which report the rules they find broken. This keeps the cost of the Peppol rules a
fraction of the XSLT's, and lets the same checks run on the fragments of the official unit tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import cast

from lxml import etree

from adapters.ubl.namespaces import cac, cbc
from application.errors import Violation


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    fatal: bool
    message: str


def fatal(rule_id: str, message: str) -> Rule:
    return Rule(rule_id, True, message)


def warning(rule_id: str, message: str) -> Rule:
    return Rule(rule_id, False, message)


def text(element: etree._Element | None) -> str:
    """The whitespace-normalised string value, as XPath's `normalize-space()` gives it."""
    if element is None:
        return ""
    return " ".join(string_value(element).split())


def string_value(element: etree._Element) -> str:
    """All the text inside the element, as XPath's `string()` gives it."""
    if len(element) == 0:  # no children, comments or processing instructions: its text is all of it
        return element.text or ""
    return "".join(cast(Iterator[str], element.itertext()))  # text of an element parsed from XML is str


def first_children(element: etree._Element) -> dict[str, etree._Element]:
    """The first child of each tag, as `element.find(tag)` gives it, from one pass over the children."""
    return {child.tag: child for child in reversed(element)}


def decimal(element: etree._Element | None) -> Decimal | None:
    """The element as `xs:decimal`, or None when it is absent or not a number."""
    value = text(element)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass
class Inspection:
    """One run over one document: what the checks need to know about it, and what they found."""

    root: etree._Element
    found: list[tuple[Rule, etree._Element]] = field(default_factory=list)

    def expect(self, rule: Rule, holds: bool, element: etree._Element) -> None:
        if not holds:
            self.found.append((rule, element))

    @cached_property
    def root_children(self) -> dict[str, etree._Element]:
        """The first child of the root of each tag (see `first_children`)."""
        return first_children(self.root)

    @cached_property
    def currency(self) -> str:
        return text(self.root_children.get(cbc("DocumentCurrencyCode")))

    @cached_property
    def profile(self) -> str:
        """The two-digit process number of the ProfileID, or `Unknown`."""
        value = text(self.root_children.get(cbc("ProfileID")))
        prefix, suffix = "urn:fdc:peppol.eu:2017:poacc:billing:", ":1.0"
        if value.startswith(prefix) and value.endswith(suffix):
            number = value[len(prefix) : -len(suffix)]
            if len(number) == 2 and number.isdigit():
                return number
        return "Unknown"

    def _country(self, party_path: str, include_representative: bool) -> str:
        vat = "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
        candidates = [f"{party_path}/{vat}"]
        if include_representative:
            candidates.append(f"cac:TaxRepresentativeParty/{vat}")
        for path in candidates:
            found = self.root.xpath(path, namespaces=_NS)
            if isinstance(found, list) and found and isinstance(found[0], etree._Element):
                prefix = text(found[0])[:2]
                if prefix:
                    return prefix.upper()
        country = self.root.xpath(
            f"{party_path}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", namespaces=_NS
        )
        if isinstance(country, list) and country and isinstance(country[0], etree._Element):
            return text(country[0]).upper() or "XX"
        return "XX"

    @cached_property
    def supplier_country(self) -> str:
        return self._country("cac:AccountingSupplierParty/cac:Party", include_representative=True)

    @cached_property
    def customer_country(self) -> str:
        return self._country("cac:AccountingCustomerParty/cac:Party", include_representative=False)

    def location(self, element: etree._Element) -> str:
        return str(element.getroottree().getpath(element))


_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

Check = Callable[[etree._Element, Inspection], None]
_CHECKS: defaultdict[str, list[Check]] = defaultdict(list)
_ROOT_CHECKS: list[Check] = []


def on(*tags: str) -> Callable[[Check], Check]:
    """Registers a check for elements with one of `tags` (Clark notation, see `cac()` and `cbc()`)."""

    def register(check: Check) -> Check:
        for tag in tags:
            _CHECKS[tag].append(check)
        return check

    return register


def on_root(check: Check) -> Check:
    _ROOT_CHECKS.append(check)
    return check


def inspect(root: etree._Element) -> tuple[Violation, ...]:
    """Runs every registered check over the document (or fragment) under `root`."""
    inspection = Inspection(root)
    for check in _ROOT_CHECKS:
        check(root, inspection)
    checks = _CHECKS
    for element in root.iter(*checks):  # lxml skips the elements no check is registered for
        for check in checks[element.tag]:
            check(element, inspection)
    return tuple(
        Violation(rule.id, rule.fatal, rule.message, inspection.location(element))
        for rule, element in inspection.found
    )


__all__ = [
    "Inspection",
    "Rule",
    "cac",
    "cbc",
    "decimal",
    "fatal",
    "first_children",
    "inspect",
    "on",
    "on_root",
    "text",
    "warning",
]
