"""The operators' client file (CONTRACTS §1): `partnerId,clientId,mailbox,vatNumber`, read as a stream.

The header decides the separator (comma or semicolon) and the order of the columns. Each later
record becomes a `ClientRow`, or a `RejectedRow` when it cannot be one: a wrong number of fields,
a line break inside a field, broken quoting, bytes that were not UTF-8, or a client already named
on an earlier line. Line numbers are those of the file, the header being line 1; a record whose
quoted field spans several lines is numbered by its first line.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from application.errors import Invalid
from application.use_cases.import_clients import ClientRow, RejectedRow

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("partnerId", "clientId", "mailbox", "vatNumber")
SEPARATORS = (",", ";")
NOT_UTF8 = "\ufffd"  # what the caller's decoder put where the bytes were not UTF-8
BOM = "\ufeff"


def read_client_rows(lines: Iterable[str]) -> Iterator[ClientRow | RejectedRow]:
    """The records of a client file, from its text (a file opened with `newline=""`, decoded with
    `errors="replace"`), read as they are asked for. `Invalid` at once when the header is unusable."""
    source = iter(lines)
    header = next(source, "").removeprefix(BOM)
    separator, order = _read_header(header)
    reader = csv.reader(itertools.chain((header,), source), delimiter=separator, strict=True)
    next(reader)
    return _records(reader, order)


def _records(reader: Reader, order: list[int]) -> Iterator[ClientRow | RejectedRow]:
    first_seen: dict[tuple[str, str], int] = {}
    last_line = 1
    while True:
        line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last_line = reader.line_num
            yield RejectedRow(line=line, reason=f"not readable as CSV: {exc}")
            continue
        last_line = reader.line_num
        if not fields:
            continue  # a blank line
        yield _row(line, fields, order, first_seen)


def _read_header(header: str) -> tuple[str, list[int]]:
    """The separator and, for each of `COLUMNS`, its position in a record."""
    if not header.strip():
        raise Invalid("the first line is empty; it must name the columns " + ",".join(COLUMNS))
    for separator in SEPARATORS:
        names = [name.strip() for name in next(csv.reader([header], delimiter=separator))]
        if set(names) & set(COLUMNS) and len(names) > 1:
            unknown = [name for name in names if name not in COLUMNS]
            missing = [name for name in COLUMNS if name not in names]
            if unknown or missing or len(names) != len(COLUMNS):
                raise Invalid(_header_problem(unknown, missing))
            return separator, [names.index(name) for name in COLUMNS]
    raise Invalid("the first line must name the columns " + ",".join(COLUMNS) + " (comma or semicolon)")


def _header_problem(unknown: list[str], missing: list[str]) -> str:
    problems = []
    if unknown:
        problems.append("unknown column(s) " + ", ".join(repr(n) for n in unknown))
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if not problems:
        problems.append("a column is named twice")
    return "the header has " + " and ".join(problems) + "; expected " + ",".join(COLUMNS)


def _row(
    line: int, fields: list[str], order: list[int], first_seen: dict[tuple[str, str], int]
) -> ClientRow | RejectedRow:
    if len(fields) != len(COLUMNS):
        return RejectedRow(line=line, reason=f"{len(fields)} field(s) where the header names {len(COLUMNS)}")
    values = [fields[i].strip(" \t") for i in order]
    text = "".join(values)
    if "\r" in text or "\n" in text or NOT_UTF8 in text:
        return _unreadable(line, values)
    partner_id, client_id, mailbox, vat_number = values
    key = (partner_id, client_id)
    first = first_seen.setdefault(key, line)
    if first != line:
        return RejectedRow(line=line, reason=f"the same partnerId and clientId as line {first}")
    return ClientRow(
        line=line, partner_id=partner_id, client_id=client_id, mailbox=mailbox, vat_number=vat_number
    )


def _unreadable(line: int, values: list[str]) -> RejectedRow:
    """Names the first field holding a line break or bytes that were not UTF-8 (there is one)."""
    name, value = next(
        (name, value)
        for name, value in zip(COLUMNS, values, strict=True)
        if "\r" in value or "\n" in value or NOT_UTF8 in value
    )
    problem = "contains a line break" if "\r" in value or "\n" in value else "is not UTF-8 text"
    return RejectedRow(line=line, reason=f"{name} {problem}")
