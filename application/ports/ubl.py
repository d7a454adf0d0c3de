"""Port for the Peppol BIS 3.0 UBL tooling behind `octobridge ubl …` (CONTRACTS §1)."""

from __future__ import annotations

from typing import Protocol

from application.errors import Violation


class UblTools(Protocol):
    """Renders, normalises and validates Peppol BIS Billing 3.0 UBL 2.1 (R12, R13).

    Every output passed the UBL 2.1 schema, the CEN EN 16931 rules and the Peppol rules with no fatal
    violation. Input that cannot be used (not XML, hostile XML, too large, not a UBL invoice or credit
    note, JSON that is not a Banqup document) raises `Invalid` with one line that never quotes the input;
    a usable document that cannot be made valid raises `InvalidDocument` with its violations.
    """

    def render_banqup(self, document_json: bytes, pdf: bytes | None) -> bytes:
        """A Banqup document (CONTRACTS §4) as UBL, with `pdf` embedded when given."""
        ...

    def normalize(self, xml: bytes) -> bytes:
        """A UBL invoice or credit note rewritten as Peppol BIS 3.0, saying the same."""
        ...

    def validate(self, xml: bytes) -> tuple[Violation, ...]:
        """Every violation found, fatal and warning; raises `Invalid` only when `xml` is unusable."""
        ...
