"""What the Peppol BIS 3 validation finds in a document."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding: the rule id (`BR-CO-15`, `PEPPOL-EN16931-R001`…), fatal or a warning, and where."""

    rule_id: str
    fatal: bool
    message: str
    location: str = ""
