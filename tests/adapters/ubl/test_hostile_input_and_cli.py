"""Hostile or unusable input gives one clear line and exit 2, never a traceback or the file's content;
and the `octobridge ubl` commands as CONTRACTS §1 describes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from application.errors import Invalid
from entrypoints.cli.ubl import ubl
from tests.adapters.ubl.banqup_documents import encode
from tests.adapters.ubl.conftest import material
from tests.adapters.ubl.test_banqup_rendering import _sample

SECRET = "s3cr3t-c0ntent"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
HOSTILE = {
    "malformed": f"<Invoice xmlns='{INVOICE_NS}'><cbc:ID>{SECRET}</Invoice".encode(),
    "xxe": (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<Invoice xmlns='{INVOICE_NS}'>&x;{SECRET}</Invoice>"
    ).encode(),
    "billion-laughs": (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "'
        + SECRET
        + '">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + f"]><Invoice xmlns='{INVOICE_NS}'>&j;</Invoice>"
    ).encode(),
    "non-ubl-root": f"<Order xmlns='{INVOICE_NS}'>{SECRET}</Order>".encode(),
    "wrong-namespace": f"<Invoice xmlns='urn:example:{SECRET}'>{SECRET}</Invoice>".encode(),
    "not-xml": f"%PDF-1.4 {SECRET}".encode(),
}


def _run(toolkit, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(ubl, list(args), obj={"ubl_tools": toolkit}, catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_with_one_line_and_exit_2(name: str, toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as caught:
        toolkit.validate(HOSTILE[name])
    assert SECRET not in caught.value.message

    path = tmp_path / f"{name}.xml"
    path.write_bytes(HOSTILE[name])
    for command in (["validate", str(path)], ["normalize", str(path)]):
        result = _run(toolkit, *command)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert SECRET not in result.stderr
        assert "Traceback" not in result.stderr


def test_a_100_mb_file_is_refused_before_it_is_read(toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "huge.xml"
    with path.open("wb") as file:
        file.write(f"<Invoice xmlns='{INVOICE_NS}'>".encode())
        file.truncate(100 * 1024 * 1024)
    result = _run(toolkit, "validate", str(path))
    assert result.exit_code == 2
    assert "larger than" in result.stderr
    with pytest.raises(Invalid, match="larger than"):
        toolkit.validate(b" " * (21 * 1024 * 1024))


def test_validate_prints_each_violation_and_exits_1_on_a_fatal_one(toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.xml"
    good.write_bytes(toolkit.render_banqup(encode(_sample()), None))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes().replace(b"<cbc:BuyerReference>PO-77</cbc:BuyerReference>", b""))

    assert _run(toolkit, "validate", str(good)).exit_code == 0
    result = _run(toolkit, "validate", str(good), str(bad))
    assert result.exit_code == 1
    assert f"{bad}: PEPPOL-EN16931-R003 [fatal] A buyer reference" in result.stdout
    assert str(good) not in result.stdout


def test_render_writes_ubl_with_the_pdf_embedded(toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document, pdf, out = tmp_path / "doc.json", tmp_path / "doc.pdf", tmp_path / "out.xml"
    document.write_bytes(encode(_sample()))
    pdf.write_bytes(b"%PDF-1.4 original")
    result = _run(toolkit, "render", str(document), "--pdf", str(pdf), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    xml = out.read_bytes()
    assert b'mimeCode="application/pdf" filename="INV-2026-0042.pdf"' in xml
    assert _run(toolkit, "validate", str(out)).exit_code == 0
    assert _run(toolkit, "render", str(document)).stdout.startswith("<?xml")


def test_render_of_an_inconsistent_document_lists_why_and_exits_1(toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document = _sample()
    document["totals"]["payable"] = "999.99"
    path = tmp_path / "doc.json"
    path.write_bytes(encode(document))
    result = _run(toolkit, "render", str(path))
    assert result.exit_code == 1
    assert "OCTOBRIDGE-TOTALS [fatal] totals.payable: Banqup says 999.99" in result.stderr


def test_render_of_something_that_is_not_a_banqup_document_exits_2(toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.json"
    path.write_bytes(b'{"number": 42}')
    result = _run(toolkit, "render", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("octobridge: not a Banqup document")


def test_normalize_an_official_example(toolkit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.xml"
    result = _run(toolkit, "normalize", str(material("examples", "base-example.xml")), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert _run(toolkit, "validate", str(out)).exit_code == 0
