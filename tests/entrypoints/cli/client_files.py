"""Client files for `octobridge clients import`, with a known set of bad rows (tests and bench)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

PARTNERS = tuple(f"partner-{n:02d}" for n in range(10))
STRANGER = "partner-without-extension"
HEADER = ("partnerId", "clientId", "mailbox", "vatNumber")

# Each kind of bad row, as a change to a good one, and the words its reason must contain.
BAD_KINDS: dict[str, str] = {
    "bad address": "mailbox:",
    "line break in a field": "contains a line break",
    "unknown column": "field(s) where the header names 4",
    "missing column": "field(s) where the header names 4",
    "duplicate row": "the same partnerId and clientId as line",
    "bad VAT number": "vatNumber:",
    "partner without the extension": "has not installed the extension",
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def vat_number(n: int) -> str:
    """A valid Belgian VAT number, different for each n below ten million."""
    body = f"0{n % 10_000_000:07d}"
    return f"BE{body}{97 - int(body) % 97:02d}"


def good_row(n: int) -> list[str]:
    vat = vat_number(n) if n % 3 else ""
    return [PARTNERS[n % len(PARTNERS)], f"client-{n:06d}", f"uid-{n:06d}-01@import.octopus.be", vat]


def bad_row(kind: str, n: int, earlier: list[str]) -> list[str]:
    row = good_row(n)
    match kind:
        case "bad address":
            row[2] = ("uid-1@@import.octopus.be", "compta@atelier", "a b@c.be", "")[n % 4]
        case "line break in a field":
            row[n % 3] += ("\r\nBcc: x@evil.example", "\n", "\rx")[n % 3]
        case "unknown column":
            row.append("surplus")
        case "missing column":
            row.pop()
        case "duplicate row":
            row = list(earlier)
        case "bad VAT number":
            row[3] = ("BE0123456748", "BE12", "12345")[n % 3]
        case "partner without the extension":
            row[0] = STRANGER
    return row


def write_client_file(
    path: Path, rows: int, *, bad_every: int = 100, separator: str = ",", bom: bool = False
) -> dict[int, str]:
    """Writes `rows` client rows after the header, one in `bad_every` bad (of each kind in turn);
    returns the line of each bad row with the words its reason must contain."""
    kinds = list(BAD_KINDS)
    expected: dict[int, str] = {}
    line = 2
    last_good = good_row(0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n" if bom else "\n")
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
        file.write(separator.join(HEADER) + "\n")
        for n in range(rows):
            if n % bad_every == bad_every - 1:
                kind = kinds[(n // bad_every) % len(kinds)]
                row = bad_row(kind, n, last_good)
                expected[line] = BAD_KINDS[kind]
            else:
                row = last_good = good_row(n)
            writer.writerow(row)
            record = buffer.getvalue()
            line += len(_LINE_BREAK.findall(record))
            file.write(record)
            buffer.seek(0)
            buffer.truncate()
    return expected
