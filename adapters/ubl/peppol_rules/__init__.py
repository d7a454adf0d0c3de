"""The Peppol BIS 3.0 rules implemented natively, since no package ships them."""

from __future__ import annotations

from lxml import etree

from adapters.ubl.peppol_rules import rules as _rules  # noqa: F401 - registers the checks
from adapters.ubl.peppol_rules.engine import inspect
from application.errors import Violation


def check_peppol_rules(root: etree._Element) -> tuple[Violation, ...]:
    """Every PEPPOL-EN16931 and PEPPOL-COMMON rule broken in the document (or fragment) under `root`."""
    return inspect(root)


__all__ = ["check_peppol_rules"]
