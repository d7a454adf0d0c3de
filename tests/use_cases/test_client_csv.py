"""Reading the operators' client file (CONTRACTS §1) as a stream of rows and rejected lines."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from application.client_csv import read_client_rows
from application.errors import Invalid
from application.use_cases.import_clients import ClientRow, RejectedRow

MAILBOX = "uid-008352-24@import.octopus.be"


def read(text: str) -> list[ClientRow | RejectedRow]:
    return list(read_client_rows(io.StringIO(text, newline="")))


@pytest.mark.parametrize("separator", [",", ";"])
def test_comma_or_semicolon_with_columns_in_any_order(separator: str) -> None:
    header = separator.join(["mailbox", "vatNumber", "clientId", "partnerId"])
    record = separator.join([f" {MAILBOX} ", "BE0123456749", "c1", "p1"])
    assert read(f"\ufeff{header}\r\n{record}\r\n") == [
        ClientRow(line=2, partner_id="p1", client_id="c1", mailbox=MAILBOX, vat_number="BE0123456749")
    ]


def test_line_numbers_count_the_lines_of_the_file() -> None:
    text = (
        "partnerId,clientId,mailbox,vatNumber\n"
        f"p1,c1,{MAILBOX},\n"
        '"p1","c\r\n2",x@y.be,\n'
        "\n"
        f"p1,c3,{MAILBOX},,surplus\n"
        f"p1,c4,{MAILBOX}\n"
        'p1,"c5"x,y,z\n'
        f"p1,c1,{MAILBOX},\n"
        "p1,c6,\ufffd@y.be,\n"
        f"p1,c7,{MAILBOX},\n"
    )
    rows = read(text)
    assert [(r.line, r.reason) for r in rows if isinstance(r, RejectedRow)] == [
        (3, "clientId contains a line break"),
        (6, "5 field(s) where the header names 4"),
        (7, "3 field(s) where the header names 4"),
        (8, "not readable as CSV: ',' expected after '\"'"),
        (9, "the same partnerId and clientId as line 2"),
        (10, "mailbox is not UTF-8 text"),
    ]
    assert [r.line for r in rows if isinstance(r, ClientRow)] == [2, 11]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the first line is empty"),
        ("\n", "the first line is empty"),
        ("partner,client\n", "the first line must name the columns"),
        ("partnerId,clientId,mailbox\n", "missing column(s) vatNumber"),
        ("partnerId;clientId;mailbox;vatNumber;dossier\n", "unknown column(s) 'dossier'"),
        ("partnerId,clientId,mailbox,mailbox\n", "missing column(s) vatNumber"),
        ("partnerId,clientId,mailbox,vatNumber,vatNumber\n", "a column is named twice"),
    ],
)
def test_an_unusable_header_is_refused_before_any_row(text: str, words: str) -> None:
    with pytest.raises(Invalid) as caught:
        read(text + f"p1,c1,{MAILBOX},\n" if text else "")
    assert words in caught.value.message


def test_rows_are_read_as_they_are_needed() -> None:
    def lines() -> Iterator[str]:
        yield "partnerId,clientId,mailbox,vatNumber\n"
        yield f"p1,c1,{MAILBOX},\n"
        raise AssertionError("read past the first row")

    rows = read_client_rows(lines())
    assert next(rows).line == 2
