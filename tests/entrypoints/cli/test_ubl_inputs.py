"""`octobridge ubl …` on inputs that are no document: devices, FIFOs, files too large (CONTRACTS §1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapters.banqup.documents import MAX_FILE, MAX_JSON
from adapters.ubl.parsing import MAX_XML_BYTES
from application.errors import Invalid
from entrypoints.cli import ubl
from tests.entrypoints.cli.process import octobridge


def test_a_device_is_refused_in_one_line(tmp_path: Path) -> None:
    result = octobridge("ubl", "validate", "/dev/zero", var=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["octobridge: /dev/zero: a character device, not a file to read"]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "invoice.xml"
    os.mkfifo(fifo)
    result = octobridge("ubl", "normalize", str(fifo), var=tmp_path)  # today's octobridge never returns
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"octobridge: {fifo}: a FIFO, not a file to read"]


def test_a_file_is_read_no_further_than_the_bound_whatever_its_size_says() -> None:
    status = Path("/proc/self/status")  # a regular file whose size reads 0, with more than 64 bytes in it
    assert status.stat().st_size == 0
    with pytest.raises(Invalid, match="larger than"):
        ubl.read_input(status, 64)
    assert ubl.read_input(status, 1024 * 1024).startswith(b"Name:")


def test_each_input_is_bounded_by_the_largest_octobridge_takes_of_it() -> None:
    assert (ubl.MAX_XML_BYTES, ubl.MAX_DOCUMENT_BYTES, ubl.MAX_PDF_BYTES) == (
        MAX_XML_BYTES,
        MAX_JSON,
        MAX_FILE,
    )


def test_a_document_larger_than_a_banqup_document_may_be_is_refused(tmp_path: Path) -> None:
    document = tmp_path / "document.json"
    document.write_bytes(b" " * (MAX_JSON + 1))
    result = octobridge("ubl", "render", str(document), var=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"octobridge: {document}: larger than the 2 MB such a file may have"
    ]
