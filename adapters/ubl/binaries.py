"""Embedded files kept out of the rules' way: their base64 becomes a placeholder before any rule runs.

No rule reads an embedded file's content, only its attributes, and whether it is empty (PEPPOL R008).
A document from outside has its files cut out of the bytes before they are parsed, so a 3 MB PDF never
becomes a 4 MB text node; the cut is taken only where it provably lands on an element's text, otherwise
the document is parsed whole and blanked in the tree. Either way the rules see the same tree, with the
same line numbers (the cut keeps the newlines it removes).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from adapters.ubl.namespaces import cbc
from adapters.ubl.parsing import parse_ubl, refuse_oversized
from application.errors import Invalid

# What a non-blank embedded file's content becomes: valid base64, a few bytes long.
PLACEHOLDER = "AA=="
_TAG = cbc("EmbeddedDocumentBinaryObject")
_ANY_NAMESPACE_TAG = "{*}EmbeddedDocumentBinaryObject"
_NAME = b"EmbeddedDocumentBinaryObject"
_START = re.compile(
    rb"<((?:[A-Za-z_][\w.-]*:)?EmbeddedDocumentBinaryObject)"
    rb"(?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*\s*>"
)
_END = re.compile(rb"</([^\s>]+)\s*>")
_BLANK = re.compile(rb"\s*")
# Markup inside which `<` is text, not a tag: a candidate there is no element.
_OPAQUE = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


@dataclass(frozen=True, slots=True)
class Blanked:
    """A document with its files blanked: its tree, and the same document as text, for SaxonC."""

    root: etree._Element
    text: str


def parse_blanked(data: bytes) -> Blanked:
    """`parse_ubl(data)`, every embedded file's content replaced by `PLACEHOLDER` (see `blank`)."""
    refuse_oversized(data)
    cut, cuts = _cut(data)
    if cuts:
        try:
            root = parse_ubl(cut)
        except Invalid:
            root = None  # parsing the document whole gives the error, about the document as it came
        if root is not None and _only_files_cut(root, cuts):
            return Blanked(root, as_text(root, cut, changed=blank(root)))
    root = parse_ubl(data)
    return Blanked(root, as_text(root, data, changed=blank(root)))


def blank(root: etree._Element) -> bool:
    """Replaces the content of every embedded file under `root` by `PLACEHOLDER`; blank ones stay blank.

    Returns whether any content changed.
    """
    changed = False
    for binary in root.iter(_TAG):
        if binary.text and not binary.text.isspace() and binary.text != PLACEHOLDER:
            binary.text = PLACEHOLDER
            changed = True
    return changed


def as_text(root: etree._Element, parsed: bytes, changed: bool) -> str:
    """The tree as XML text: the bytes it was parsed from when they still say the same, else serialised.

    Decoding is cheaper than serialising. The bytes say the same when the tree was not changed after
    parsing and they are UTF-8 without a byte order mark. (Processing instructions, which the parser
    drops, remain in the bytes; no rule reads them.)
    """
    utf8 = (root.getroottree().docinfo.encoding or "").upper() in ("UTF-8", "UTF8")
    if changed or not utf8 or parsed.startswith(codecs.BOM_UTF8):
        return etree.tostring(root, encoding="unicode")
    return parsed.decode("utf-8")


def _cut(data: bytes) -> tuple[bytes, int]:
    """`data` with the text of each `<…EmbeddedDocumentBinaryObject …>text</…>` replaced, and how many.

    The text is replaced by the placeholder and as many newlines as it held. A candidate inside a comment,
    CDATA section or processing instruction is skipped: there `<` starts no tag.
    """
    pieces: list[bytes] = []
    cuts = kept_from = 0
    search_from = 0
    while (named := data.find(_NAME, search_from)) >= 0:
        search_from = named + len(_NAME)
        tag_at = data.rfind(b"<", 0, named)
        start = _START.match(data, tag_at) if tag_at >= 0 else None
        if start is None:
            continue
        if closed := _end_of_open_markup(data, kept_from, start.start()):
            search_from = closed
            continue
        text_from = start.end()
        text_to = data.find(b"<", text_from)
        end = _END.match(data, text_to) if text_to >= 0 else None
        if end is None or end.group(1) != start.group(1):
            search_from = text_from
            continue
        search_from = end.end()
        if _BLANK.fullmatch(data, text_from, text_to):
            continue
        wrapped = data.find(b"\n", text_from, text_to) >= 0  # counting costs ~1 ms per 4 MB: only when any
        newlines = b"\n" * data.count(b"\n", text_from, text_to) if wrapped else b""
        pieces += (data[kept_from:text_from], PLACEHOLDER.encode(), newlines)
        kept_from = text_to
        cuts += 1
    if not cuts:
        return data, 0
    pieces.append(data[kept_from:])
    return b"".join(pieces), cuts


def _end_of_open_markup(data: bytes, start: int, end: int) -> int:
    """Where the comment, CDATA section or processing instruction open at `end` closes; 0 if none is.

    `start` is never inside one: it is 0 or the end of a text that was cut. Doubt counts as open.
    """
    for opening, closing in _OPAQUE:
        opened = data.rfind(opening, start, end)
        if opened >= 0 and data.find(closing, opened, end) < 0:
            closed = data.find(closing, end)
            return closed + len(closing) if closed >= 0 else len(data)
    return 0


def _only_files_cut(root: etree._Element, cuts: int) -> bool:
    """Whether every cut fell on the text of a UBL embedded file (and none elsewhere)."""
    binaries = list(root.iter(_ANY_NAMESPACE_TAG))
    placeholders = sum(1 for b in binaries if (b.text or "").rstrip("\n") == PLACEHOLDER)
    return placeholders == cuts and all(b.tag == _TAG for b in binaries)


__all__ = ["PLACEHOLDER", "Blanked", "as_text", "blank", "parse_blanked"]
