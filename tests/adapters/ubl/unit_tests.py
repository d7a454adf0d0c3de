"""Reads the official unit-test files (vefa validator format) into cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"


@dataclass(frozen=True)
class Expectation:
    outcome: str  # "success", "error" or "warning"
    rule_id: str
    count: int | None


@dataclass(frozen=True)
class UnitCase:
    file: str
    index: int
    fragment: bytes
    expectations: tuple[Expectation, ...]

    @property
    def id(self) -> str:
        return f"{self.file}#{self.index}"


def read_cases(folder: Path) -> list[UnitCase]:
    cases = []
    for path in sorted(folder.rglob("*.xml")):
        root = etree.parse(str(path)).getroot()
        for index, test in enumerate(root.iter(f"{_VEFA}test"), start=1):
            assertion = test.find(f"{_VEFA}assert")
            expectations = tuple(
                Expectation(
                    etree.QName(child).localname, (child.text or "").strip(), _count(child.get("number"))
                )
                for child in (assertion if assertion is not None else [])
                if isinstance(child.tag, str)
                and etree.QName(child).localname in ("success", "error", "warning")
            )
            documents = [c for c in test if isinstance(c.tag, str) and not c.tag.startswith(_VEFA)]
            if documents and expectations:
                relative = path.relative_to(folder).as_posix()
                cases.append(UnitCase(relative, index, etree.tostring(documents[0]), expectations))
    return cases


def _count(number: str | None) -> int | None:
    return int(number) if number else None


def disagreement(case: UnitCase, fired: list[tuple[str, bool]]) -> str | None:
    """Why the fired rules (id, fatal) do not match the case's expectations, or None when they do."""
    problems = []
    for expected in case.expectations:
        hits = [fatal for rule_id, fatal in fired if rule_id == expected.rule_id]
        if expected.outcome == "success":
            if hits:
                problems.append(f"{expected.rule_id} fired {len(hits)}x, expected success")
            continue
        want_fatal = expected.outcome == "error"
        if not hits:
            problems.append(f"{expected.rule_id} did not fire, expected {expected.outcome}")
        elif any(fatal != want_fatal for fatal in hits):
            problems.append(f"{expected.rule_id} fired with the wrong flag, expected {expected.outcome}")
        elif expected.count is not None and len(hits) != expected.count:
            problems.append(f"{expected.rule_id} fired {len(hits)}x, expected {expected.count}")
    return "; ".join(problems) or None
