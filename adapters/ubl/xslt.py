"""Schematron rules compiled to XSLT 2.0, run with SaxonC; each stylesheet is compiled once per process."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import ClassVar

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

from application.errors import Unavailable, Violation

_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_NAMESPACED_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='[^']*'\]")


class _Saxon:
    """The one SaxonC processor of the process and the stylesheets compiled with it."""

    lock: ClassVar[threading.Lock] = threading.Lock()
    processor: ClassVar[PySaxonProcessor | None] = None
    compiled: ClassVar[dict[Path, object]] = {}

    @classmethod
    def executable(cls, path: Path) -> object:
        with cls.lock:
            if path not in cls.compiled:
                if cls.processor is None:
                    cls.processor = PySaxonProcessor(license=False)
                compiler = cls.processor.new_xslt30_processor()
                try:
                    cls.compiled[path] = compiler.compile_stylesheet(stylesheet_file=str(path))
                except PySaxonApiError as exc:
                    raise Unavailable(f"the validation stylesheet {path.name} cannot be compiled") from exc
            return cls.compiled[path]


class XsltRules:
    """A Schematron stylesheet producing SVRL; `check` turns its failed asserts into violations."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> None:
        _Saxon.executable(self.path)

    def check(self, xml: str) -> tuple[Violation, ...]:
        return parse_svrl(self.transform(xml))

    def transform(self, xml: str) -> str:
        """The raw SVRL report for the document text `xml`."""
        executable = _Saxon.executable(self.path)
        with _Saxon.lock:
            assert _Saxon.processor is not None
            try:
                node = _Saxon.processor.parse_xml(xml_text=xml)
                return str(executable.transform_to_string(xdm_node=node))  # type: ignore[attr-defined]
            except PySaxonApiError as exc:
                raise Unavailable(f"the validation stylesheet {self.path.name} failed to run") from exc


def parse_svrl(report: str) -> tuple[Violation, ...]:
    """The failed asserts and successful reports of an SVRL report, as violations.

    Most reports have none: without either element name in the text, there is nothing to parse.
    """
    if "failed-assert" not in report and "successful-report" not in report:
        return ()
    root = etree.fromstring(report.encode("utf-8"))
    violations = []
    for finding in root.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
        message = " ".join("".join(str(t) for t in finding.itertext()).split())
        location = _NAMESPACED_STEP.sub(r"\1", finding.get("location") or "")
        fatal = (finding.get("flag") or "fatal") != "warning"
        violations.append(Violation(finding.get("id") or "", fatal, message, location))
    return tuple(violations)
